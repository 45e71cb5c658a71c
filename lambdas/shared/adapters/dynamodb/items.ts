/**
 * What the DynamoDB stores share: attribute maps made from plain values (`marshall`), typed reads of items
 * (`unmarshall`), item keys from the table definitions, conditional writes, paging.
 */
import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { marshall, type NativeAttributeValue, unmarshall } from '@aws-sdk/util-dynamodb';
import type { TableDefinition } from './tables.ts';

export type Item = Record<string, AttributeValue>;

/**
 * Plain values as DynamoDB attributes (an item, a key, expression attribute values): a string is `S`, a number
 * `N`, a boolean `BOOL`; an undefined value is left out.
 */
export const attributes = (values: Record<string, NativeAttributeValue>): Item =>
  marshall(values, { removeUndefinedValues: true });

/** The primary key of an item: its partition key value, and its sort key value for a table that has one. */
export function itemKey(table: TableDefinition, partitionValue: string, sortValue?: string): Item {
  return attributes({
    [table.partitionKey]: partitionValue,
    ...(table.sortKey !== undefined && sortValue !== undefined ? { [table.sortKey]: sortValue } : {}),
  });
}

/** Reads an item's attributes as plain values; errors name the attribute and never a value. */
export interface ItemReader {
  /** A string attribute every item of the table has. */
  string(name: string): string;
  optionalString(name: string): string | undefined;
  optionalNumber(name: string): number | undefined;
  optionalBoolean(name: string): boolean | undefined;
}

export function readItem(item: Item, itemKind: string): ItemReader {
  const values = unmarshall(item);
  const ofType = <T>(name: string, type: string): T | undefined =>
    typeof values[name] === type ? (values[name] as T) : undefined;
  return {
    string(name) {
      const value = ofType<string>(name, 'string');
      if (value === undefined) throw new Error(`${itemKind} item without string attribute ${name}`);
      return value;
    },
    optionalString: (name) => ofType<string>(name, 'string'),
    optionalNumber: (name) => ofType<number>(name, 'number'),
    optionalBoolean: (name) => ofType<boolean>(name, 'boolean'),
  };
}

/**
 * The answer of a conditional write, or `undefined` when DynamoDB refused it because its condition did not
 * hold (the one refusal callers act on); any other failure is thrown.
 */
export async function conditionalWrite<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/** Every item of a Query or Scan, reading page after page from where the last one stopped. */
export async function* allItems(
  readPage: (
    startKey: Item | undefined,
  ) => Promise<{ Items?: Item[] | undefined; LastEvaluatedKey?: Item | undefined }>,
): AsyncGenerator<Item> {
  let startKey: Item | undefined;
  do {
    const page = await readPage(startKey);
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
