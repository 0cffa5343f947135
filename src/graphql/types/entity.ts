import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { typeLabel, type EntityState } from '../../domain/entity';
import type { Attributes } from '../../domain/fields';
import type { Versioned } from '../../projections/queries/things';
import { Connection } from '../connection';
import type { Pins } from '../pins';

@ObjectType({ description: 'An item of an entity’s own reading list, as the wiki wrote it.' })
export class EntitySourceRef {
  @Field() title!: string;
  @Field(() => String, { nullable: true }) url!: string | null;
  @Field(() => String, { nullable: true }) author!: string | null;
  @Field(() => String, { nullable: true, description: 'Free text, as written ("2024", "May 21, 2024", "2023-2024").' }) date!:
    string | null;
}

@ObjectType({ description: 'A label/value row of an entity’s info box.' })
export class CustomField {
  @Field() label!: string;
  @Field() value!: string;
  @Field(() => String, { nullable: true, description: 'A wiki path or URL the value links to.' }) link!: string | null;
}
import { ATTRIBUTES_DESCRIPTION, JSONScalar, PartialDateScalar } from '../scalars';

@ObjectType({ description: 'Something facts are about: an organization, a person, a risk…' })
export class Entity {
  @Field(() => ID, { description: 'The stable id.' }) id!: string;
  @Field() slug!: string;
  @Field(() => String, { nullable: true }) numericId!: string | null;
  @Field() name!: string;
  @Field() type!: string;
  @Field({ description: 'The type as a page shows it, e.g. "Organization".' }) typeLabel!: string;
  @Field(() => [String]) aliases!: string[];
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => [String]) tags!: string[];
  @Field(() => String, { nullable: true }) website!: string | null;
  @Field(() => PartialDateScalar, { nullable: true, description: 'When the wiki last reviewed the entry.' }) lastUpdated!: string | null;
  @Field(() => String, { nullable: true, description: 'Slug of the overview page the entity is summarized on.' })
  summaryPage!: string | null;
  @Field(() => [EntitySourceRef], { description: 'The entry’s own reading list (not the sources its facts cite).' })
  sources!: EntitySourceRef[];
  @Field(() => [CustomField]) customFields!: CustomField[];
  @Field(() => String, {
    nullable: true,
    description: 'The data set file that lists it, relative to the data set (e.g. "entities/people.yaml"): an export writes it back there.',
  })
  file!: string | null;
  @Field(() => JSONScalar, { nullable: true, description: ATTRIBUTES_DESCRIPTION }) attributes!: Attributes | null;
  @Field(() => Int) version!: number;
  pins!: Pins;
}

export function toEntity(v: Versioned<EntityState>, pins: Pins): Entity {
  const s = v.state!;
  const f = s.fields;
  return {
    id: s.id,
    slug: f.slug,
    numericId: f.numericId ?? null,
    name: f.name,
    type: f.type,
    typeLabel: typeLabel(f.type),
    aliases: f.aliases ?? [],
    description: f.description ?? null,
    tags: f.tags ?? [],
    website: f.website ?? null,
    lastUpdated: f.lastUpdated ?? null,
    summaryPage: f.summaryPage ?? null,
    sources: (f.sources ?? []).map((r) => ({ title: r.title, url: r.url ?? null, author: r.author ?? null, date: r.date ?? null })),
    customFields: (f.customFields ?? []).map((c) => ({ label: c.label, value: c.value, link: c.link ?? null })),
    file: f.file ?? null,
    attributes: f.attributes ?? null,
    version: v.version,
    pins,
  };
}

@ObjectType()
export class EntityConnection extends Connection(Entity) {}

export enum RelationDirection {
  OUTGOING = 'OUTGOING',
  INCOMING = 'INCOMING',
  BOTH = 'BOTH',
}
registerEnumType(RelationDirection, {
  name: 'RelationDirection',
  description: 'OUTGOING: relations this entity lists; INCOMING: relations other entities list to it.',
});

@ObjectType({ description: 'A typed link between two entities (the wiki’s relatedEntries), seen from one end.' })
export class Relation {
  @Field(() => RelationDirection, { description: 'OUTGOING or INCOMING, from the entity the field was read on.' })
  direction!: RelationDirection;
  @Field(() => String, { nullable: true, description: 'e.g. "created-by", "part-of"; null when the entry names none.' })
  relationship!: string | null;
  @Field(() => String, { nullable: true, description: 'The target’s type as the relating entry wrote it.' })
  targetType!: string | null;
  @Field(() => Entity, {
    nullable: true,
    description: 'The entity at the other end; null when the target is a slug no entity has (see unresolvedSlug).',
  })
  entity!: Entity | null;
  @Field(() => String, { nullable: true, description: 'A target the wiki named that no entity had when it was related, as written.' })
  unresolvedSlug!: string | null;
  @Field({ description: 'Log position of the event that related it.' }) since!: string;
}

@ObjectType()
export class RelationConnection extends Connection(Relation) {}
