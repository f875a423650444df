// The patient's commune as a regulator types it: words anywhere, accents, hyphens and "st"
// folded, the territory's communes first (server/lib/commune-search.ts, pure functions), and on
// the real list of French communes the examples of issue 14.
import t from 'tap'
import { indexCommune, nameMatch, NO_TERRITORY, normalizeName, parseQuery, rankCommunes, territoryLevel, territoryOf, type Territory } from '../server/lib/commune-search.js'
import type { Commune } from '../shared/communes.js'
import { communeByCode, searchCommunes, territoryOfCommunes } from '../server/lib/communes.js'

const c = (code: string, name: string, departement: string, postalCodes: string[], epci: string | null = null): Commune =>
  ({ code, name, departement, postalCodes, epci })

const LIST = [
  c('22291', 'Saint-Gildas', '22', ['22800']),
  c('30258', 'Saint-Gilles', '30', ['30800']),
  c('85222', 'Saint-Gilles-Croix-de-Vie', '85', ['85800'], 'E-GILLES'),
  c('85100', 'Givrand', '85', ['85800'], 'E-GILLES'),
  c('85226', 'Saint-Hilaire-de-Riez', '85', ['85270'], 'E-GILLES'),
  c('85288', 'Talmont-Saint-Hilaire', '85', ['85440'], 'E-SABLES'),
  c('85194', "Les Sables-d'Olonne", '85', ['85100', '85180', '85340'], 'E-SABLES'),
  c('72048', 'Briosne-lès-Sables', '72', ['72110']),
  c('85234', 'Saint-Jean-de-Monts', '85', ['85160'], 'E-MONTS'),
  c('01001', 'Sainte-Foy', '01', ['01000'])
].map(indexCommune)

const byCode = (code: string): Commune | undefined => LIST.find((x) => x.commune.code === code)?.commune
/** A CPTS whose practitioners are in Saint-Jean-de-Monts only. */
const MONTS: Territory = territoryOf(['85234'], byCode)
const names = (text: string, territory: Territory = MONTS, limit = 10): string[] =>
  rankCommunes(LIST, text, territory, limit).map((r) => r.commune.name)

t.test('folding: case, accents, hyphens, apostrophes, st/ste', async (t) => {
  t.equal(normalizeName('Saint-Gilles-Croix-de-Vie'), 'saint gilles croix de vie')
  t.equal(normalizeName('ST GILLES'), 'saint gilles')
  t.equal(normalizeName('Ste-Foy'), 'sainte foy')
  t.equal(normalizeName('Les Sables-d’Olonne'), normalizeName("les sables d'olonne"))
  t.equal(normalizeName('Briosne-lès-Sables'), 'briosne les sables')
  t.same(parseQuery('Saint-Gil 858'), { words: ['saint', 'gil'], digits: ['858'] })
})

t.test('words anywhere, in order, each the start of a word', async (t) => {
  const w = (s: string): string[] => normalizeName(s).split(' ')
  t.equal(nameMatch(w('Saint-Gilles'), w('saint gilles')), 0, 'the whole name')
  t.equal(nameMatch(w('Saint-Gilles-Croix-de-Vie'), w('saint gil')), 1, 'from the first word')
  t.equal(nameMatch(w("Les Sables-d'Olonne"), w('sables')), 2, 'a later word')
  t.equal(nameMatch(w("Les Sables-d'Olonne"), w('sables olo')), 2, 'several later words')
  t.equal(nameMatch(w('Saint-Gilles-Croix-de-Vie'), w('croix saint')), null, 'out of order')
  t.equal(nameMatch(w('Saint-Gilles'), w('illes')), null, 'inside a word')
  t.equal(nameMatch(w('Saint-Gilles'), w('saint saint')), null, 'a word typed twice needs two')
})

t.test('where a commune lies from the territory', async (t) => {
  t.equal(territoryLevel(byCode('85234')!, MONTS), 'cpts', 'a commune of its practitioners')
  t.equal(territoryLevel(byCode('85222')!, MONTS), 'departement', 'in its département')
  t.equal(territoryLevel(byCode('30258')!, MONTS), 'outside')
  const gilles = territoryOf(['85222'], byCode)
  t.equal(territoryLevel(byCode('85100')!, gilles), 'cpts', 'the same intercommunality counts as the territory')
  t.equal(territoryLevel(byCode('85222')!, NO_TERRITORY), 'outside', 'no territory: everything is outside')
})

t.test('ranking: the territory first, then the name typed in full, from its start, shorter first', async (t) => {
  for (const q of ['Saint-Gil', 'saint gilles', 'st gilles', 'ST-GILLES', 'Saint Gîl']) {
    t.equal(names(q)[0], 'Saint-Gilles-Croix-de-Vie', `"${q}": the territory's commune first`)
  }
  t.same(names('Saint-Gil'), ['Saint-Gilles-Croix-de-Vie', 'Saint-Gildas', 'Saint-Gilles'], 'then shorter names first, then by name')
  t.same(names('saint gilles', NO_TERRITORY), ['Saint-Gilles', 'Saint-Gilles-Croix-de-Vie'], 'no territory: the name typed in full first')
  t.same(names('Saint-Hilaire'), ['Saint-Hilaire-de-Riez', 'Talmont-Saint-Hilaire'], 'from its start first')
  t.same(names('Sables'), ["Les Sables-d'Olonne", 'Briosne-lès-Sables'], 'a word anywhere')
  t.same(names('85800'), ['Givrand', 'Saint-Gilles-Croix-de-Vie'], 'a postal code')
  t.same(names('st gilles 858'), ['Saint-Gilles-Croix-de-Vie'], 'name and postal code together')
  t.same(names('ste'), ['Sainte-Foy'], '"ste" is "sainte"')
  t.same(names('s'), [], 'one letter is not enough')
  t.same(names('saint', MONTS, 2), ['Saint-Jean-de-Monts', 'Saint-Hilaire-de-Riez'], 'limit')
})

t.test('the real list: the examples of the regulators of the Vendée coast', async (t) => {
  // A CPTS whose practitioners are in Saint-Jean-de-Monts (the test fixtures' territory).
  const monts = territoryOfCommunes(['85234'])
  for (const q of ['Saint-Gil', 'Saint-Gilles', 'st gilles', 'saint gilles croix']) {
    const found = searchCommunes(q, 8, monts)
    t.equal(found[0]?.code, '85222', `"${q}": Saint-Gilles-Croix-de-Vie (85800) first`)
    t.equal(found[0]?.territory, 'departement', 'in the territory\'s département')
  }
  t.ok(searchCommunes('Saint-Hilaire', 8, monts).some((x) => x.code === '85226'), '"Saint-Hilaire" finds Saint-Hilaire-de-Riez')
  t.equal(searchCommunes('Saint-Hilaire-de-R', 8, monts)[0]?.code, '85226')
  t.equal(searchCommunes('Sables', 8, monts)[0]?.code, '85194', '"Sables" finds Les Sables-d\'Olonne first')
  t.equal(searchCommunes('saint jean de mo', 8, monts)[0]?.territory, 'cpts', 'its practitioners\' commune is the CPTS\'s')
  const gildas = searchCommunes('Saint-Gildas', 8, monts)
  t.ok(gildas.length > 0 && gildas.every((x) => x.territory === 'outside'), 'Saint-Gildas is outside the territory, and says so')
  t.equal(communeByCode('85222')?.postalCodes[0], '85800')
  t.equal(searchCommunes('8516', 8, monts)[0]?.code, '85234', 'by the start of its postal code')
})
