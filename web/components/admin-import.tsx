import { useRef, useState } from 'preact/hooks'
import { IMPORT_COLUMNS, type SeasonImportResult } from '../../shared/schemas/reports.js'
import { apiCsv, ApiError } from '../lib/api.js'
import { plural } from '../lib/french.js'
import { frenchImportError } from '../lib/import-errors.js'

type LineErrors = Array<{ line: number, message: string }>

/** Where the panel is: nothing chosen, checked (errors or ready), imported. */
type Step =
  | { kind: 'idle' }
  | { kind: 'invalid', errors: LineErrors, total: string }
  | { kind: 'ready', preview: SeasonImportResult }
  | { kind: 'done', result: SeasonImportResult }

const counts = (r: SeasonImportResult): string => `${plural(r.slots, 'créneau', 'créneaux')} dont ${plural(r.bookings, 'réservation', 'réservations')}`

/**
 * "Import de saison": choose a CSV file, check it (a dry run: every line is checked, the
 * calendar's overlaps too, nothing written), read its errors by line in French, then import.
 * The import button only appears for a file whose check found nothing wrong.
 */
export function ImportSection () {
  const [file, setFile] = useState<{ name: string, text: string } | null>(null)
  const [step, setStep] = useState<Step>({ kind: 'idle' })
  const [busy, setBusy] = useState<'check' | 'import' | null>(null)
  const [failure, setFailure] = useState<string | null>(null)
  const outcome = useRef<HTMLDivElement>(null)

  /** Moves the focus to what the last action found (its heading or banner is focusable). */
  function focusOutcome (): void {
    requestAnimationFrame(() => outcome.current?.querySelector<HTMLElement>('[tabindex="-1"]')?.focus())
  }

  async function choose (input: HTMLInputElement): Promise<void> {
    setStep({ kind: 'idle' })
    setFailure(null)
    const chosen = input.files?.[0]
    setFile(chosen === undefined ? null : { name: chosen.name, text: await chosen.text() })
  }

  async function send (dryRun: boolean): Promise<void> {
    if (busy !== null) return
    if (file === null) {
      setFailure('Choisissez d’abord le fichier CSV de la saison.')
      document.getElementById('import-file')?.focus()
      return
    }
    setBusy(dryRun ? 'check' : 'import')
    setFailure(null)
    try {
      const result = await apiCsv<SeasonImportResult>(`/api/import/season?dryRun=${String(dryRun)}`, file.text)
      setStep(dryRun ? { kind: 'ready', preview: result } : { kind: 'done', result })
      if (!dryRun) {
        // Imported: the file is let go, so that no second check of it (every line now overlapping
        // what it just wrote) answers 400 and hides the success.
        setFile(null)
        const input = document.getElementById('import-file') as HTMLInputElement | null
        if (input !== null) input.value = ''
      }
    } catch (err) {
      if (err instanceof ApiError && err.code === 'IMPORT_INVALID') {
        const errors = err.body?.errors ?? []
        const lines = new Set(errors.map((e) => e.line)).size
        setStep({ kind: 'invalid', errors, total: plural(lines, 'ligne invalide', 'lignes invalides') })
      } else {
        setStep({ kind: 'idle' })
        setFailure(err instanceof ApiError
          ? (err.status === 413 ? 'Fichier trop volumineux pour l’import.' : err.french)
          : 'Serveur injoignable. Vérifiez la connexion puis réessayez.')
      }
    } finally {
      setBusy(null)
      focusOutcome()
    }
  }

  return (
    <section aria-labelledby='import-title' id='import'>
      <h2 id='import-title'>Import de saison</h2>
      <div class='card admin-form' ref={outcome}>
        <p>
          L’import ajoute une saison passée (créneaux et réservations, sans identité de patient) au bilan.
          Le fichier est d’abord vérifié ligne par ligne : rien n’est écrit tant qu’une ligne est invalide.
        </p>
        <div class='field'>
          <label for='import-file'>Fichier CSV de la saison</label>
          <input id='import-file' name='file' type='file' accept='.csv,text/csv' aria-describedby='import-file-hint'
            onChange={(e) => { void choose(e.currentTarget) }} />
          <small id='import-file-hint' class='hint'>
            Première ligne : <code>{IMPORT_COLUMNS.join(',')}</code> (virgules ou points-virgules). Dates ISO 8601 avec décalage, ex. 2020-07-13T12:00:00+02:00.
            Colonnes facultatives : <code>place</code> (libellé d’un lieu du praticien ; vide : son lieu principal) et <code>cpts</code> (CPTS
            auxquelles le créneau était proposé, noms ou numéros FINESS séparés par <code>|</code> ; vide : sa CPTS principale).
          </small>
        </div>
        <div class='form-actions'>
          <button type='button' class={step.kind === 'ready' || step.kind === 'done' ? undefined : 'primary'} aria-disabled={file === null || busy !== null}
            onClick={() => { void send(true) }}>{busy === 'check' ? 'Vérification…' : 'Vérifier le fichier'}</button>
          {step.kind === 'ready' && (
            <button type='button' class='primary' aria-disabled={busy !== null} onClick={() => { void send(false) }}>
              {busy === 'import' ? 'Import…' : `Importer ${plural(step.preview.slots, 'créneau', 'créneaux')}`}
            </button>
          )}
        </div>
        <div role='status' class='admin-status'>
          {failure !== null && <p class='banner banner-error' tabIndex={-1}>{failure}</p>}
          {step.kind === 'ready' && (
            <p class='banner banner-ok' tabIndex={-1}>
              Fichier valide : {counts(step.preview)}. Rien n’est encore importé : cliquez sur « Importer ».
            </p>
          )}
          {step.kind === 'done' && (
            <p class='banner banner-ok' tabIndex={-1}>Import terminé : {counts(step.result)} ajoutés au bilan. Pour un autre import, choisissez un autre fichier.</p>
          )}
        </div>
        {step.kind === 'invalid' && (
          <div class='import-errors'>
            <p class='banner banner-error' tabIndex={-1}>
              {file?.name} : {step.total}. Rien n’a été importé ; corrigez le fichier puis vérifiez-le à nouveau.
            </p>
            <div class='table-wrap' role='region' aria-labelledby='import-errors-caption' tabIndex={0}>
              <table>
                <caption id='import-errors-caption'>Erreurs par ligne du fichier (la ligne 1 est l’en-tête)</caption>
                <thead><tr><th scope='col'>Ligne</th><th scope='col'>Problème</th></tr></thead>
                <tbody>
                  {step.errors.map((e, i) => <tr key={i}><td>{e.line}</td><td>{frenchImportError(e.message)}</td></tr>)}
                </tbody>
              </table>
            </div>
          </div>
        )}
      </div>
    </section>
  )
}
