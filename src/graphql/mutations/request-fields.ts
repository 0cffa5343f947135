import { Field, InputType, Int, type ClassType } from 'type-graphql';

/** What every mutation may say about the request itself, beside the command. */
export interface RequestFields {
  idempotencyKey?: string;
  reason?: string;
  expectedVersion?: number;
}

/** A base for inputs that carry nothing but the request fields. */
export class NoFields {}

/**
 * Adds `idempotencyKey` and `reason` to an input. A mixin rather than a base class, so that an input
 * can extend its kind's patch (`RegisterSourceInput` is a `SourcePatch` plus a URL) and still carry
 * them; the class it returns is never referenced by a field, so it never appears in the schema by itself.
 */
export function withRequestFields<T extends ClassType>(Base: T) {
  @InputType()
  class RequestInput extends Base {
    @Field(() => String, { nullable: true, description: 'Retrying with the same key returns the first result and appends nothing.' })
    idempotencyKey?: string;
    @Field(() => String, { nullable: true, description: 'Why: recorded on the event for auditors.' }) reason?: string;
  }
  return RequestInput;
}

/** The request fields and `expectedVersion`, for commands on a thing that already exists. */
export function withExpectedVersion<T extends ClassType>(Base: T) {
  @InputType()
  class ExpectedVersionInput extends withRequestFields(Base) {
    @Field(() => Int, { nullable: true, description: 'The version you last saw; a different current version fails with CONFLICT.' })
    expectedVersion?: number;
  }
  return ExpectedVersionInput;
}
