import { ArgsType, Field, ID, Int } from 'type-graphql';
import type { PartialDate } from '../domain/partial-date';
import { DateTimeScalar, PartialDateScalar } from './scalars';

/** Transaction-time pins: what the store knew at an instant, or at a log position. */
@ArgsType()
export class TimeArgs {
  @Field(() => DateTimeScalar, { nullable: true, description: 'Transaction time: answer with what was known at this instant.' })
  knownAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'Transaction time as a log position (an alternative to knownAt).' })
  atPosition?: string | null;
}

/** Both times: valid time (`asOf`) and transaction time. */
@ArgsType()
export class BitemporalArgs extends TimeArgs {
  @Field(() => PartialDateScalar, {
    nullable: true,
    description: 'Valid time: "2025", "2025-05" or "2025-05-22" (the end of that period). Default: now.',
  })
  asOf?: PartialDate | null;
}

/**
 * The times of a list of facts. Unlike a single value, a list without `asOf` is not read "now": it
 * holds every fact whatever its valid time, which is what a source's or an entity's fact list shows.
 */
@ArgsType()
export class FactListTimeArgs extends TimeArgs {
  @Field(() => PartialDateScalar, {
    nullable: true,
    description:
      'Valid time: only the facts that hold then ("2025", "2025-05" or "2025-05-22": the end of that period). Without it: every fact, whatever its valid time (there is no default of now here).',
  })
  asOf?: PartialDate | null;
}

@ArgsType()
export class PagingArgs {
  @Field(() => Int, { nullable: true, description: 'Page size: default 20, at most 100 (more is an error).' })
  first?: number | null;

  @Field(() => String, { nullable: true })
  after?: string | null;
}

@ArgsType()
export class IdArgs extends BitemporalArgs {
  @Field(() => ID)
  id!: string;
}
