import { Entity, Index, PrimaryKey } from '@mikro-orm/core';

/**
 * One row per (organization, word of a member's name or email, member): the autocomplete's index.
 * Kept by database triggers on `memberships` and `users` (see the migration), never written by code,
 * so it cannot drift from the data it indexes.
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

  @PrimaryKey({ type: 'text' })
  word: string;

  @PrimaryKey({ type: 'uuid' })
  userId: string;
}
