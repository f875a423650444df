import { useEffect, useState } from 'preact/hooks'
import { api } from '../lib/api.js'

/** GET /api/audit/chain (server/features/audit/audit-chain.ts). */
type ChainReport =
  | { ok: true, entries: number, headSeq: number }
  | { ok: false, entries: number, headSeq: number, brokenAt: { id: number | null, seq: number | null, at: string | null }, reason: string }

/**
 * The audit log's integrity (its hash chain): intact, or the first entry where it breaks (an
 * entry edited, deleted, reordered or inserted outside the application).
 */
export function JournalChain () {
  const [report, setReport] = useState<ChainReport | null>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    api<ChainReport>('GET', '/api/audit/chain').then(setReport, () => { setFailed(true) })
  }, [])
  if (failed) return <p class='jr-chain' role='status'>Intégrité du journal : vérification impossible pour le moment.</p>
  if (report === null) return <p class='jr-chain' role='status'>Intégrité du journal : vérification en cours…</p>
  if (report.ok) {
    return <p class='jr-chain jr-chain-ok' role='status' id='jr-chain'>Intégrité du journal vérifiée : {report.entries.toLocaleString('fr-FR')} entrées chaînées, aucune modification détectée.</p>
  }
  const where = report.brokenAt.id === null ? 'à la fin du journal' : `à l’entrée n° ${report.brokenAt.id}${report.brokenAt.at === null ? '' : ` (${report.brokenAt.at.slice(0, 19).replace('T', ' ')} UTC)`}`
  return (
    <p class='banner banner-error jr-chain' role='alert' id='jr-chain'>
      Intégrité du journal rompue {where} : des entrées ont été modifiées, supprimées, déplacées ou ajoutées hors de l’application.
      Prévenez le responsable de la sécurité et conservez une sauvegarde de la base en l’état. (Détail technique : {report.reason}.)
    </p>
  )
}
