// Imported in schema order: type-graphql lists mutations in the order their decorators ran.
import { PublicationMutations } from './publication';
import { SourceMutations } from './source';
import { PageMutations } from './page';
import { EntityMutations } from './entity';
import { PropertyMutations } from './property';
import { FactMutations } from './fact';
import { RecordSchemaMutations } from './record-schema';
import { RecordMutations } from './record';
import { EntityTypeMutations } from './entity-type';
import { VerificationMutations } from './verification';

/** One resolver per kind; their order is the order of the mutations in the schema. */
export const MUTATION_RESOLVERS = [
  PublicationMutations,
  SourceMutations,
  PageMutations,
  EntityMutations,
  PropertyMutations,
  FactMutations,
  RecordSchemaMutations,
  RecordMutations,
  EntityTypeMutations,
  VerificationMutations,
] as const;
