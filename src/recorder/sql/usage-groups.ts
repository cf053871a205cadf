/**
 * What the usage report and its series group by. Apart from the store so that the admin
 * routes can validate their parameters without loading the query builder, which a gateway
 * that records nothing never needs.
 */

/** What the usage report groups by, and the column that holds it. */
export const USAGE_GROUPS = {
  user: 'user_name',
  model: 'model',
  provider: 'provider',
  client: 'client_name',
  day: 'started_day',
} as const;

export type UsageGroupBy = keyof typeof USAGE_GROUPS;

/** The series' bucket widths, in milliseconds; buckets start at UTC hour or day boundaries. */
export const SERIES_BUCKETS = { hour: 3_600_000, day: 86_400_000 } as const;

export type SeriesBucket = keyof typeof SERIES_BUCKETS;

/** What a usage series splits each bucket by: every usage group but the day. */
export type SeriesBy = Exclude<UsageGroupBy, 'day'>;
