import { Field, Int, ObjectType } from 'type-graphql';
import type { Freshness as DomainFreshness } from '../../domain/freshness';
import { DateTimeScalar, PartialDateScalar } from '../scalars';

@ObjectType({ description: 'When something is due for review (docs/domain.md, “Freshness”), seen at the query’s asOf or now.' })
export class Freshness {
  @Field(() => PartialDateScalar, { description: 'The date the cadence counts from: the series’ latest asOf, or the page’s lastEdited.' })
  since!: string;
  @Field(() => Int, { description: 'The cadence: the property’s stalenessDays, or the page’s updateFrequency.' }) everyDays!: number;
  @Field(() => DateTimeScalar, { description: 'The start of `since`’s period plus everyDays.' }) dueAt!: Date;
  @Field({ description: 'True once the query’s asOf (or now) is past dueAt.' }) overdue!: boolean;
  @Field(() => Int, { description: 'Whole days past dueAt; negative: days left.' }) overdueDays!: number;
}

export const toFreshness = (f: DomainFreshness | null): Freshness | null => f && { ...f };
