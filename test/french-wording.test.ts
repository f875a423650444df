// Issue 14, "Everywhere": French plurals (0 and 1 singular), guillemets and 116 117 that never wrap.
import t from 'tap'
import { SAS_NUMBER, agree, bookedOfOffered, plural, quoted } from '../web/lib/french.js'

const plain = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ')

t.test('0 and 1 take the singular, 2 and more the plural', async (t) => {
  t.equal(plain(plural(0, 'créneau offert', 'créneaux offerts')), '0 créneau offert')
  t.equal(plain(plural(1, 'créneau offert', 'créneaux offerts')), '1 créneau offert')
  t.equal(plain(plural(2, 'créneau offert', 'créneaux offerts')), '2 créneaux offerts')
  t.equal(plain(plural(12345, 'appel', 'appels')), '12 345 appels')
  t.equal(plain(bookedOfOffered(1, 1)), '1 réservé sur 1 offert')
  t.equal(plain(bookedOfOffered(0, 0)), '0 réservé sur 0 offert')
  t.equal(plain(bookedOfOffered(3, 10)), '3 réservés sur 10 offerts')
  t.equal(agree(1, 'libre', 'libres'), 'libre')
  t.equal(agree(5, 'libre', 'libres'), 'libres')
})

t.test('nothing that must stay together holds a breaking space', async (t) => {
  t.notMatch(SAS_NUMBER, / /, '116 117')
  t.equal(plain(SAS_NUMBER), '116 117')
  const q = quoted('Été 2020')
  t.match(q, /^«[\u202f]Été 2020[\u202f]»$/, 'guillemets held to their text')
  t.notMatch(plural(2, 'créneaux', 'créneaux'), / /, 'a count held to its word')
})
