import {
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SweepRecords } from '../../ports/sweep-source.ts';
import type {
  ProjectQuotaState,
  SyncLeaseStore,
  SyncState,
  SyncStateListing,
  SyncStateStore,
  TokenCheckRecord,
} from '../../ports/sync-stores.ts';
import { scheduleShardOf } from './connection-store.ts';
import { attributes, conditionalWrite, type Item, type ItemReader, itemKey, readItem } from './items.ts';
import { TABLES } from './tables.ts';

/**
 * How each SyncState field is stored. Nested values (last result, held deletions) are kept as JSON strings:
 * they are read and written whole, never queried.
 */
const FIELDS = {
  feedEtag: 'S',
  feedLastModified: 'S',
  feedValidatedFor: 'S',
  feedHash: 'S',
  coolDownUntil: 'S',
  eventCount: 'N',
  missingCalendarId: 'S',
  refusalRetryAt: 'S',
  lastAuditAt: 'S',
  auditSyncToken: 'S',
  lastResult: 'JSON',
  heldDeletion: 'JSON',
  costlyFeed: 'JSON',
  dailyUnits: 'JSON',
  tokenCheckedAt: 'S',
} as const satisfies Record<Exclude<keyof SyncState, 'subscriberId'>, 'S' | 'N' | 'JSON'>;
type Field = keyof typeof FIELDS;

const LEASE_OWNER = 'leaseOwner';
export const LEASE_UNTIL = 'leaseUntil'; // epoch milliseconds

/**
 * The item of the project's daily-quota cool-down: in this table under a key no subscriber takes (subscriber ids
 * are hex digests), so it needs no table or grant of its own.
 */
export const PROJECT_QUOTA_KEY = '#project-quota';
const DAILY_LIMIT_UNTIL = 'dailyLimitUntil'; // ISO 8601

/** The item of a shard's sweep record (when the check last went through the shard), under a key no subscriber takes. */
export const sweepRecordKey = (shard: number): string => `#sweep-${shard}`;
export const SWEPT_AT = 'sweptAt'; // ISO 8601

/**
 * The sync state in the `syncState` table, one item per subscriber, with the run lease on the same item; and the
 * project's daily-quota cool-down, one item for all.
 */
export class DynamoSyncStateStore
  implements
    SyncStateStore,
    SyncLeaseStore,
    TokenCheckRecord,
    ProjectQuotaState,
    SweepRecords,
    Pick<SyncStateListing, 'leaseHeldUntil'>
{
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async get(subscriberId: string): Promise<SyncState | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(subscriberId), ConsistentRead: true }),
    );
    return Item ? stateFromItem(subscriberId, Item) : undefined;
  }

  async leaseHeldUntil(subscriberId: string, now: Date): Promise<Date | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(subscriberId), ConsistentRead: true }),
    );
    const until = Item ? readItem(Item, 'sync state').optionalNumber(LEASE_UNTIL) : undefined;
    return until !== undefined && until > now.getTime() ? new Date(until) : undefined;
  }

  /** An update rather than a put, so a lease held on the same item survives. */
  async put(state: SyncState): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, string | number> = {};
    const set: string[] = [];
    const remove: string[] = [];
    for (const field of Object.keys(FIELDS) as Field[]) {
      names[`#${field}`] = field;
      const encoded = encode(FIELDS[field], state[field]);
      if (encoded !== undefined) {
        values[`:${field}`] = encoded;
        set.push(`#${field} = :${field}`);
      } else {
        remove.push(`#${field}`);
      }
    }
    const expression = [
      set.length ? `SET ${set.join(', ')}` : '',
      remove.length ? `REMOVE ${remove.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: keyOf(state.subscriberId),
        UpdateExpression: expression,
        ExpressionAttributeNames: names,
        ...(set.length ? { ExpressionAttributeValues: attributes(values) } : {}),
      }),
    );
  }

  /** One attribute, not the whole state: a run that stored no state of its own still records the token check. */
  async noteTokenChecked(subscriberId: string, at: Date): Promise<void> {
    await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(subscriberId),
          UpdateExpression: 'SET #checkedAt = :checkedAt',
          // A subscriber who disconnected meanwhile has no item: an update must not create one.
          ConditionExpression: 'attribute_exists(#key)',
          ExpressionAttributeNames: {
            '#checkedAt': 'tokenCheckedAt' satisfies Field,
            '#key': TABLES.syncState.partitionKey,
          },
          ExpressionAttributeValues: attributes({ ':checkedAt': at.toISOString() }),
        }),
      ),
    );
  }

  async remove(subscriberId: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: keyOf(subscriberId) }));
  }

  async dailyLimitUntil(): Promise<string | undefined> {
    // Read on every sync request: an eventually consistent read costs half, and a cool-down seen a moment late
    // costs one refused call.
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: keyOf(PROJECT_QUOTA_KEY) }),
    );
    return Item ? readItem(Item, 'project quota').optionalString(DAILY_LIMIT_UNTIL) : undefined;
  }

  async lastSweptFor(subscriberId: string): Promise<string | undefined> {
    // The shard the subscriber's connection is written with now; one written before the shard count grew may
    // still sit in an earlier shard, swept just as often.
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: keyOf(sweepRecordKey(scheduleShardOf(subscriberId))),
      }),
    );
    return Item ? readItem(Item, 'sweep record').optionalString(SWEPT_AT) : undefined;
  }

  async dailyLimitReached(until: string): Promise<void> {
    // Workers meeting the limit together each record it; the latest reset wins (ISO 8601 UTC sorts as text).
    await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(PROJECT_QUOTA_KEY),
          UpdateExpression: 'SET #until = :until',
          ConditionExpression: 'attribute_not_exists(#until) OR #until < :until',
          ExpressionAttributeNames: { '#until': DAILY_LIMIT_UNTIL },
          ExpressionAttributeValues: attributes({ ':until': until }),
        }),
      ),
    );
  }

  async acquireLease(subscriberId: string, owner: string, now: Date, until: Date): Promise<boolean> {
    const acquired = await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(subscriberId),
          UpdateExpression: 'SET #owner = :owner, #until = :until',
          ConditionExpression: 'attribute_not_exists(#until) OR #until <= :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': LEASE_OWNER, '#until': LEASE_UNTIL },
          ExpressionAttributeValues: attributes({
            ':owner': owner,
            ':until': until.getTime(),
            ':now': now.getTime(),
          }),
        }),
      ),
    );
    return acquired !== undefined;
  }

  async releaseLease(subscriberId: string, owner: string): Promise<void> {
    // Refused when someone else took over an expired lease, or the item is gone: nothing of ours to release.
    await conditionalWrite(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: keyOf(subscriberId),
          UpdateExpression: 'REMOVE #owner, #until',
          // Also keeps a release from re-creating the item of a subscriber who disconnected meanwhile.
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': LEASE_OWNER, '#until': LEASE_UNTIL },
          ExpressionAttributeValues: attributes({ ':owner': owner }),
        }),
      ),
    );
  }
}

const keyOf = (subscriberId: string): Item => itemKey(TABLES.syncState, subscriberId);

/** A subscriber's sync state from its stored item (also read by the operator's listing). */
export function stateFromItem(subscriberId: string, item: Item): SyncState {
  const read = readItem(item, 'sync state');
  const state: SyncState = { subscriberId };
  for (const field of Object.keys(FIELDS) as Field[]) {
    const value = decode(FIELDS[field], read, field);
    if (value !== undefined) Object.assign(state, { [field]: value });
  }
  return state;
}

/** The stored value of a field: a number, or a string (nested values as their JSON); undefined: not stored. */
function encode(kind: 'S' | 'N' | 'JSON', value: unknown): string | number | undefined {
  if (value === undefined || value === null) return undefined;
  if (kind === 'N') return Number(value);
  if (kind === 'S') return String(value);
  return JSON.stringify(value);
}

function decode(kind: 'S' | 'N' | 'JSON', read: ItemReader, field: Field): unknown {
  if (kind === 'N') return read.optionalNumber(field);
  const text = read.optionalString(field);
  return text !== undefined && kind === 'JSON' ? JSON.parse(text) : text;
}
