import t from 'tap'
import { detailText } from '../web/lib/audit-labels.js'

/** The journal's detail column, as the coordinator reads it on /admin/journal. */
t.test('a membership change names the CPTS, not their ids', async (t) => {
  const names = new Map([['c1', 'CPTS Côte de Lumière'], ['c2', 'CPTS Pays de Monts']])
  const detail = { added: ['c2'], removed: [], homeCptsId: 'c1', homeChanged: false }
  t.equal(detailText(detail, names), 'CPTS ajoutées : CPTS Pays de Monts · CPTS quittées : (aucun) · CPTS principale : CPTS Côte de Lumière · CPTS principale changée : non')
  t.equal(detailText(detail), 'CPTS ajoutées : c2 · CPTS quittées : (aucun) · CPTS principale : c1 · CPTS principale changée : non', 'ids until the names are loaded')
  t.equal(detailText({ cptsIds: ['c2', 'gone'] }, names), 'autres CPTS : CPTS Pays de Monts, gone', 'a CPTS no longer there keeps its id')
})

t.test('other keys keep their French field names; a CPTS name never replaces a field', async (t) => {
  const names = new Map([['phone', 'not a CPTS']])
  t.equal(detailText({ fields: ['phone', 'practitioner.address'] }, names), 'champs : téléphone, adresse')
  t.equal(detailText({ placeId: 'p1', label: 'Cabinet' }, names), 'lieu : p1 · libellé : Cabinet')
})
