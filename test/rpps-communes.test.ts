import t from 'tap'
import { communeByCode, matchCommune, normalizeName, searchCommunes } from '../server/lib/communes.js'
import { Rpps } from '../shared/schemas/accounts.js'
import { isValidRpps, withRppsKey } from '../shared/rpps.js'

t.test('RPPS check digit (Luhn over 11 digits)', async (t) => {
  // Worked by hand, doubling every second digit from the right: 1000000001k → k + 2 + 1 ≡ 0 → k = 7;
  // 1000345678k → k + (16→7) + 7 + (12→3) + 5 + 8 + 3 + 1 = k + 34 → k = 6.
  const valid = ['10000000017', '10000000025', '10003456786', '81000000000', '00000000000']
  for (const v of valid) t.ok(isValidRpps(v), `${v} is valid`)

  const invalid: Array<[string, string]> = [
    ['10000000018', 'wrong check digit'],
    ['10000000010', 'wrong check digit'],
    ['01000000017', 'two neighbours swapped'],
    ['10000000071', 'check digit swapped with its neighbour'],
    ['10000000027', 'one digit mistyped'],
    ['1000000001', 'ten digits'],
    ['100000000170', 'twelve digits'],
    ['1000000001A', 'a letter'],
    ['1000 000 0017', 'spaces inside'],
    ['', 'empty']
  ]
  for (const [v, why] of invalid) t.notOk(isValidRpps(v), `${JSON.stringify(v)} is refused: ${why}`)

  t.equal(withRppsKey('1000000001'), '10000000017')
  t.equal(withRppsKey('1000345678'), '10003456786')
  for (let i = 0; i < 50; i++) {
    const ten = String(1000000000 + i * 7919)
    const full = withRppsKey(ten)
    t.ok(full.startsWith(ten) && isValidRpps(full), `withRppsKey(${ten})`)
    const wrong = ten + String((Number(full[10]) + 1) % 10)
    t.notOk(isValidRpps(wrong), `${wrong}: any other key is refused`)
  }
  t.throws(() => withRppsKey('123'), /ten digits/)

  t.equal(Rpps.parse(' 10000000017 '), '10000000017', 'the schema trims spaces around')
  t.notOk(Rpps.safeParse('10000000018').success)
})

t.test('commune names are matched to their postal code', async (t) => {
  const ok = (postalCode: string, name: string, code: string, official: string) => {
    const m = matchCommune(postalCode, name)
    t.ok(m.ok, `${name} ${postalCode}`, { found: m })
    if (m.ok) {
      t.equal(m.commune.code, code, `${name}: INSEE ${code}`)
      t.equal(m.commune.name, official)
    }
  }
  ok('85160', 'Saint-Jean-de-Monts', '85234', 'Saint-Jean-de-Monts')
  ok('85160', 'saint jean de monts', '85234', 'Saint-Jean-de-Monts')
  ok('85160', '  SAINT-JEAN-DE-MONTS ', '85234', 'Saint-Jean-de-Monts')
  ok('85160', 'St Jean de Monts', '85234', 'Saint-Jean-de-Monts')
  ok('85800', 'St-Gilles-Croix-de-Vie', '85222', 'Saint-Gilles-Croix-de-Vie')
  ok('85800', 'saint gilles croix de vie', '85222', 'Saint-Gilles-Croix-de-Vie')
  ok('85800', 'Givrand', '85100', 'Givrand')
  ok('75011', 'Paris', '75056', 'Paris')
  ok('75116', 'paris', '75056', 'Paris')
  ok('97400', 'Saint-Denis', '97411', 'Saint-Denis')
  ok('93200', 'Saint-Denis', '93066', 'Saint-Denis')
  ok('17650', 'Saint-Denis-d’Oléron', '17323', "Saint-Denis-d'Oléron")
  ok('17650', 'st denis d oleron', '17323', "Saint-Denis-d'Oléron")
  ok('85350', 'L’Île-d’Yeu', '85113', "L'Île-d'Yeu")
  ok('85350', "l'ile d'yeu", '85113', "L'Île-d'Yeu")
  ok('44560', 'Paimboeuf', '44116', 'Paimbœuf')
  ok('44560', 'PAIMBŒUF', '44116', 'Paimbœuf')
  ok('17740', 'Sainte-Marie-de-Ré', '17360', 'Sainte-Marie-de-Ré')
  ok('17740', 'Ste Marie de Re', '17360', 'Sainte-Marie-de-Ré')

  const nantes = matchCommune('85160', 'Nantes')
  t.notOk(nantes.ok, 'Nantes is not served by 85160')
  if (!nantes.ok) {
    t.equal(nantes.reason, 'mismatch')
    t.ok(nantes.candidates.includes('Saint-Jean-de-Monts'), 'the communes of 85160 are offered instead')
  }
  const reunion = matchCommune('97400', 'Saint-Paul')
  t.notOk(reunion.ok, 'Saint-Paul is another commune of La Réunion')
  const unknown = matchCommune('99999', 'Nulle-Part')
  t.same(unknown, { ok: false, reason: 'unknown_postal_code', candidates: [] })
  t.notOk(matchCommune('85160', '').ok, 'an empty name matches nothing')
  t.notOk(matchCommune('85160', 'Saint-Jean').ok, 'a partial name is not enough')
})

t.test('communes by code and search', async (t) => {
  const sjdm = communeByCode('85234')
  t.equal(sjdm?.name, 'Saint-Jean-de-Monts')
  t.equal(sjdm?.departement, '85')
  t.ok(sjdm?.postalCodes.includes('85160'))
  t.type(sjdm?.epci, 'string', 'it belongs to an intercommunality')
  t.equal(communeByCode('97411')?.departement, '974', 'overseas départements have three digits')
  t.equal(communeByCode('00000'), undefined)

  t.equal(normalizeName('Saint-Gilles-Croix-de-Vie'), normalizeName('st gilles croix de vie'))
  t.equal(normalizeName("L'Île-d'Yeu"), normalizeName('L’Île-d’Yeu'))

  const byName = searchCommunes('saint jean de mo')
  t.ok(byName.some((c) => c.code === '85234'), 'by the start of its name')
  const byPostal = searchCommunes('8516')
  t.ok(byPostal.some((c) => c.code === '85234'), 'by the start of its postal code')
  t.same(searchCommunes('s'), [], 'one letter is too short')
})
