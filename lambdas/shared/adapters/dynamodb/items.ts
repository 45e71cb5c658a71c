/** What the DynamoDB stores share: item keys from the table definitions, typed reads, conditional writes, paging. */
import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { TableDefinition } from './tables.ts';

export type Item = Record<string, AttributeValue>;

/** The primary key of an item: its partition key value, and its sort key value for a table that has one. */
export function itemKey(table: TableDefinition, partitionValue: string, sortValue?: string): Item {
  const key: Item = { [table.partitionKey]: { S: partitionValue } };
  if (table.sortKey !== undefined && sortValue !== undefined) key[table.sortKey] = { S: sortValue };
  return key;
}

/** A string attribute every item of the table has; the error names the attribute and never a value. */
export function stringAttribute(item: Item, name: string, itemKind: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new Error(`${itemKind} item without string attribute ${name}`);
  return value;
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
  readPage: (startKey: Item | undefined) => Promise<{ Items?: Item[]; LastEvaluatedKey?: Item }>,
): AsyncGenerator<Item> {
  let startKey: Item | undefined;
  do {
    const page = await readPage(startKey);
    yield* page.Items ?? [];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}
