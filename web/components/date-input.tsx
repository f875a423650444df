/**
 * A date field that reads and writes French dates (jj/mm/aaaa) whatever the browser's language
 * packs: a text input, not `type=date`, whose look follows the browser's locale data (mm/dd/yyyy
 * without Chromium's French translations). The value given and returned is `YYYY-MM-DD`; text
 * that is not a date is returned as typed (trimmed), for the page's own check to refuse in French.
 *
 * Typing digits puts the slashes in (`10062026` → `10/06/2026`); `AAAA-MM-JJ` and `JJ.MM.AAAA`
 * are read too; ↑ and ↓ move a valid date by a day. Its label and hint come from `Field`.
 */
import { useEffect, useState } from 'preact/hooks'
import { formatDateShort, parseFrenchDate } from '../lib/format.js'

const ISO = /^\d{4}-\d{2}-\d{2}$/
/** A real `YYYY-MM-DD` date (not 2026-02-31). */
export function isDate (v: string): boolean {
  if (!ISO.test(v)) return false
  const d = new Date(v + 'T12:00:00Z')
  // Month 13 is no date at all (toISOString would throw); 31 February rolls over to March.
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v
}
const shown = (value: string): string => isDate(value) ? formatDateShort(value) : value

/** `1006` → `10/06`, `10062026` → `10/06/2026`: slashes after the day and the month. */
export function maskFrenchDate (text: string): string {
  if (!/^[\d/]*$/.test(text)) return text
  const digits = text.replace(/\//g, '').slice(0, 8)
  if (digits.length <= 2) return digits
  if (digits.length <= 4) return `${digits.slice(0, 2)}/${digits.slice(2)}`
  return `${digits.slice(0, 2)}/${digits.slice(2, 4)}/${digits.slice(4)}`
}

/** `YYYY-MM-DD` of a date typed in French; '' for nothing; the text itself when it is no date. */
export function readFrenchDate (text: string): string {
  return text.trim() === '' ? '' : parseFrenchDate(text)
}

function addDay (iso: string, days: number): string {
  const d = new Date(iso + 'T12:00:00Z')
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

export interface DateInputProps {
  id: string
  value: string
  onValue: (value: string) => void
  required?: boolean
  'aria-invalid'?: boolean
  'aria-describedby'?: string
  onKeyDown?: (e: KeyboardEvent) => void
}

export function DateInput (props: DateInputProps) {
  const [text, setText] = useState(shown(props.value))
  // Follows the value when it changes from elsewhere (a quick period, the back button, a reset).
  useEffect(() => {
    if (readFrenchDate(text) !== props.value) setText(shown(props.value))
  }, [props.value])

  function change (next: string): void {
    setText(next)
    props.onValue(readFrenchDate(next))
  }

  return (
    <input id={props.id} type='text' inputMode='numeric' autocomplete='off' spellcheck={false} maxLength={10}
      placeholder='jj/mm/aaaa' class='date-input' required={props.required}
      aria-invalid={props['aria-invalid']} aria-describedby={props['aria-describedby']}
      value={text}
      onInput={(e) => {
        const raw = e.currentTarget.value
        const deleting = (e as InputEvent).inputType?.startsWith('delete') ?? false
        const masked = deleting ? raw : maskFrenchDate(raw)
        if (masked !== raw) e.currentTarget.value = masked
        change(masked)
      }}
      onBlur={() => { const v = readFrenchDate(text); if (isDate(v) && text !== shown(v)) setText(shown(v)) }}
      onKeyDown={(e) => {
        const v = readFrenchDate(text)
        if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && isDate(v) && !e.altKey && !e.ctrlKey && !e.metaKey) {
          e.preventDefault()
          change(shown(addDay(v, e.key === 'ArrowUp' ? 1 : -1)))
          return
        }
        props.onKeyDown?.(e)
      }} />
  )
}
