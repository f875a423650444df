/**
 * The majoration (the ARS's €15 per honored snp consultation, at most 20 counted per ISO week
 * and practitioner): its defaults (MAJORATION_EUROS and MAJORATION_WEEKLY_CAP override them,
 * server/config.ts), the cap as the report applies it (in SQL, over the rollups of migrations
 * 0012 and 0020), and the same rule in JS, the reference the SQL is tested against
 * (test/report-rollups.test.ts, through report-from-slots.ts) and unit-tested (test/report.test.ts).
 */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../../../db/types.js'
import { practitionerDays, type ReportScope } from './report-common.js'

/** Euros per honored snp consultation, and how many of them count per ISO week and practitioner. */
export const MAJORATION_DEFAULTS = { euros: 15, weeklyCap: 20 } as const

/**
 * Honored snp consultations counted for the majoration, per practitioner: each ISO week's
 * (over every CPTS in scope) up to the weekly cap, summed in SQL so that only one row per
 * practitioner leaves the database. A slot offered to several CPTS counts once for the
 * territory, and in the report of each CPTS it was offered to (report-common.ts `practitionerDays`).
 */
export async function majorationCounts (db: Kysely<Database>, s: ReportScope, weeklyCap: number): Promise<Map<string, number>> {
  if (s.kind !== undefined && s.kind !== 'snp') return new Map()
  const weeks = practitionerDays(db, { ...s, kind: 'snp' })
  const cap = sql.lit(Math.max(0, Math.trunc(weeklyCap)))
  const rows = await db.selectFrom(
    weeks.select((eb) => ['d.practitioner_id', eb.fn.sum<number>('d.honored').as('honored')]).groupBy(['d.practitioner_id', 'd.iso_week']).as('w')
  )
    .select((eb) => ['w.practitioner_id', eb.fn.sum<number>(sql`CASE WHEN w.honored > ${cap} THEN ${cap} ELSE w.honored END`).as('counted')])
    .groupBy('w.practitioner_id')
    .execute()
  return new Map(rows.map((r) => [r.practitioner_id, Number(r.counted)]))
}

/**
 * The reference: the majoration of one practitioner, `euros` per honored snp booking, at most
 * `weeklyCap` of them counted in each ISO week.
 */
export function majorationEuros (honoredSnpByWeek: Iterable<number>, euros: number, weeklyCap: number): number {
  let counted = 0
  for (const n of honoredSnpByWeek) counted += Math.min(n, weeklyCap)
  return counted * euros
}
