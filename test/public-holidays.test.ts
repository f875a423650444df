// Issue 14: the public holidays the series preview flags (French, and the territory's own).
import t from 'tap'
import { departementOfCommune, easterSunday, publicHolidays, publicHolidaysBetween } from '../server/lib/public-holidays.js'

const dates = (list: Array<{ date: string }>): string[] => list.map((h) => h.date)

t.test('Easter Sunday of known years', async (t) => {
  const known: Record<number, string> = { 2019: '2019-04-21', 2020: '2020-04-12', 2024: '2024-03-31', 2025: '2025-04-20', 2026: '2026-04-05', 2027: '2027-03-28', 2038: '2038-04-25' }
  for (const [y, d] of Object.entries(known)) t.equal(easterSunday(Number(y)).toFormat('yyyy-MM-dd'), d, y)
})

t.test('the eleven national holidays of 2026 (Vendée)', async (t) => {
  const list = publicHolidays(2026, '85')
  t.same(dates(list), [
    '2026-01-01', '2026-04-06', '2026-05-01', '2026-05-08', '2026-05-14', '2026-05-25',
    '2026-07-14', '2026-08-15', '2026-11-01', '2026-11-11', '2026-12-25'
  ])
  t.equal(list.find((h) => h.date === '2026-05-14')?.name, 'Ascension')
  t.equal(list.find((h) => h.date === '2026-07-14')?.name, 'Fête nationale')
})

t.test('Alsace-Moselle adds Good Friday and 26 December', async (t) => {
  for (const dep of ['57', '67', '68']) {
    const list = publicHolidays(2026, dep)
    t.equal(list.length, 13, dep)
    t.equal(list.find((h) => h.date === '2026-04-03')?.name, 'Vendredi saint', dep)
    t.equal(list.find((h) => h.date === '2026-12-26')?.name, 'Saint-Étienne', dep)
  }
  t.notOk(dates(publicHolidays(2026, '54')).includes('2026-12-26'), 'not in Meurthe-et-Moselle')
})

t.test('overseas: the abolition of slavery, on each territory\'s date', async (t) => {
  t.ok(dates(publicHolidays(2026, '974')).includes('2026-12-20'), 'La Réunion')
  t.ok(dates(publicHolidays(2026, '971')).includes('2026-05-27'), 'Guadeloupe')
  t.ok(dates(publicHolidays(2026, '972')).includes('2026-05-22'), 'Martinique')
  t.ok(dates(publicHolidays(2026, '973')).includes('2026-06-10'), 'Guyane')
  t.ok(dates(publicHolidays(2026, '976')).includes('2026-04-27'), 'Mayotte')
})

t.test('a period across the new year, bounds included', async (t) => {
  t.same(dates(publicHolidaysBetween('2025-12-25', '2026-01-01', '67')), ['2025-12-25', '2025-12-26', '2026-01-01'])
  t.same(publicHolidaysBetween('2026-07-15', '2026-08-14', '85'), [])
})

t.test('the département of a commune code', async (t) => {
  t.equal(departementOfCommune('85234'), '85')
  t.equal(departementOfCommune('67482'), '67')
  t.equal(departementOfCommune('97411'), '974')
  t.equal(departementOfCommune('2A004'), '2A')
})
