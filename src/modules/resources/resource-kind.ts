/** URL segment of each kind: /projects, /datasets, /ontologies. */
export const KIND_BY_SEGMENT = { projects: 'project', datasets: 'dataset', ontologies: 'ontology' } as const;
export type KindSegment = keyof typeof KIND_BY_SEGMENT;
