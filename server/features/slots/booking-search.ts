/**
 * What a regulator types to find a booking when a patient calls back, read as criteria: the
 * booking's reference (8 hex characters read out, or its start), birth dates, and name words.
 * Pure functions: `SlotReads.findBookings` (slot-reads.ts) fetches the live bookings and keeps those that match.
 */
import { foldName } from '../../lib/fold-name.js'

export interface BookingCriteria {
  /** Starts of booking ids, lower case. */
  references: string[]
  /** 'YYYY-MM-DD'. */
  birthDates: string[]
  /** Folded words, each the start of a word of the patient's last or first name. */
  words: string[]
}


const pad = (n: string): string => n.padStart(2, '0')

export function parseBookingQuery (text: string): BookingCriteria {
  const out: BookingCriteria = { references: [], birthDates: [], words: [] }
  for (const token of text.trim().split(/\s+/)) {
    const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(token)
    const fr = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(token) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(token)
    if (iso !== null) out.birthDates.push(token)
    else if (fr !== null) out.birthDates.push(`${fr[3]}-${pad(fr[2]!)}-${pad(fr[1]!)}`)
    // A reference has digits (a name has none): 4 to 8 hex characters.
    else if (/^[0-9a-f]{4,8}$/i.test(token) && /\d/.test(token)) out.references.push(token.toLowerCase())
    else if (token !== '') out.words.push(...foldName(token).split(' ').filter((w) => w !== ''))
  }
  return out
}

export const hasCriteria = (c: BookingCriteria): boolean => c.references.length + c.birthDates.length + c.words.length > 0

/** Whether a booking matches every criterion typed. */
export function bookingMatches (c: BookingCriteria, b: { id: string, lastName: string | null, firstName: string | null, birthDate: string | null }): boolean {
  if (!c.references.every((r) => b.id.toLowerCase().startsWith(r))) return false
  if (!c.birthDates.every((d) => b.birthDate === d)) return false
  const names = foldName(`${b.lastName ?? ''} ${b.firstName ?? ''}`).split(' ')
  return c.words.every((w) => names.some((n) => n.startsWith(w)))
}
