import { Entity, Index, PrimaryKey } from '@mikro-orm/core';

/**
 * The autocomplete's index: per (organization, member), one sort entry for the member's whole name
 * (`' ' || name`) and one per other word of their name and email (`word || ' ' || name`), as
 * `member_search_words_of` makes them (see Migration20261130010000_ranked_member_search). Kept by
 * database triggers on `memberships` and `users`, never written by code, so it cannot drift from
 * the data it indexes.
 */
@Entity({ tableName: 'member_search_words' })
@Index({
  name: 'member_search_words_prefix_idx',
  expression:
    'create index "member_search_words_prefix_idx" on "member_search_words" ("organization_id", "word" text_pattern_ops, "user_id")',
})
@Index({ name: 'member_search_words_user_idx', properties: ['userId'] })
export class MemberSearchWord {
  @PrimaryKey({ type: 'uuid' })
  organizationId: string;

  // Before the word: the search checks a user's other entries through this key.
  @PrimaryKey({ type: 'uuid' })
  userId: string;

  @PrimaryKey({ type: 'text' })
  word: string;
}
