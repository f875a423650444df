import { z } from 'zod'

/** Opaque identifier. */
export const Id = z.string().min(1).max(100)

/** An instant in ISO 8601 with an offset or `Z` (any offset is accepted). */
export const IsoDateTime = z.iso.datetime({ offset: true, local: false })

/** A calendar date local to the territory, `YYYY-MM-DD`. */
export const LocalDate = z.iso.date()

/** A wall-clock time `HH:mm`. */
export const LocalTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:mm')

function isTimeZone (value: string): boolean {
  try {
    // Throws a RangeError for an unknown IANA zone, in Node and in browsers alike.
    new Intl.DateTimeFormat('en', { timeZone: value }).format(0)
    return value.includes('/') || value === 'UTC'
  } catch {
    return false
  }
}

/** An IANA time-zone name such as `Europe/Paris` or `Indian/Reunion`. */
export const TimeZone = z.string().min(1).max(64).refine(isTimeZone, { message: 'unknown IANA time zone' })

// C0 and C1 control characters (NUL, line breaks, escape…) and the bidirectional embedding,
// override and isolate marks, which make a name display otherwise than it reads (and CR/LF
// would break the lines of a calendar feed or a mail header).
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/
// The same, but tabs and line breaks are allowed (a free-text reason may have several lines).
// eslint-disable-next-line no-control-regex
const CONTROL_OR_BIDI_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

/** The message of a refused character (web/lib/fr-errors.ts recognises it to say it in French). */
export const FORBIDDEN_CHARACTERS = 'forbidden characters: control characters, line breaks or bidirectional overrides'

/** A name or label: one line, trimmed, `min` to `max` characters, no control character nor bidi override. */
export const LineText = (max: number, min = 1) => z.string().trim().min(min).max(max)
  .refine((v) => !CONTROL_OR_BIDI.test(v), { message: FORBIDDEN_CHARACTERS })

/**
 * The message of a name without a single visible letter or digit (only spaces, zero-width
 * characters, combining marks…): in French, as the pages show it as is (web/lib/fr-errors.ts).
 */
export const INVISIBLE_NAME = 'Nom illisible : il doit contenir au moins une lettre ou un chiffre visible.'

const VISIBLE_LETTER_OR_DIGIT = /[\p{L}\p{N}]/u

/** A name (of a person, an account, a CPTS): a `LineText` with at least one visible letter or digit. */
export const NameText = (max: number, min = 1) => LineText(max, min)
  .refine((v) => v === '' || VISIBLE_LETTER_OR_DIGIT.test(v), { message: INVISIBLE_NAME })

/** A free text of `min` to `max` characters (lines allowed), no other control character nor bidi override. */
export const FreeText = (max: number, min = 0) => z.string().trim().min(min).max(max)
  .refine((v) => !CONTROL_OR_BIDI_BUT_LINES.test(v), { message: FORBIDDEN_CHARACTERS })

/** The earliest birth date taken (the server also refuses one after today, by its clock). */
export const MIN_BIRTH_DATE = '1900-01-01'

/** A patient's birth date, `YYYY-MM-DD`, not before 1900. */
export const BirthDate = LocalDate.refine((v) => v >= MIN_BIRTH_DATE, { message: 'birth date before 1900' })
