/**
 * Offered and booked slots per day (bars) with the fill rate (line, second axis in %), drawn by
 * Chart.js on a canvas. Only the parts used are registered, so esbuild leaves the rest of the
 * library out of the bundle. Chart.js sizes its canvas through the CSSOM (element.style), which
 * the page's CSP (style-src 'self') allows; it injects no stylesheet.
 */
import { plural } from '../lib/french.js'
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip,
  type ChartConfiguration, type TooltipItem
} from 'chart.js'
import { useEffect, useRef } from 'preact/hooks'
import type { SeasonReport } from '../../shared/schemas/reports.js'
import { formatDay } from '../lib/format.js'
import { axisDay, fmtInt, fmtPct, periodLabel } from './bilan-format.js'

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend)

const COLORS = { offered: '#b7cfe9', booked: '#0b5cad', rate: '#c25e00', grid: '#e3e7ec', text: '#3c4043' }

/** Size the canvas is drawn at for print, scaled to the page width by the print stylesheet. */
const PRINT_SIZE = { width: 780, height: 330 }

type Kind = 'bar' | 'line'
type Config = ChartConfiguration<Kind, Array<number | null>, string>

/** ISO weekday of a local date: 1 Monday … 7 Sunday. */
const weekdayOf = (date: string): number => new Date(date + 'T12:00:00Z').getUTCDay() || 7

/** Label every n-th Monday so that labels keep about 48 px each. */
function mondayStep (days: number, width: number): number {
  const weeks = Math.max(1, days / 7)
  const fit = Math.max(1, Math.floor(width / 48))
  for (const step of [1, 2, 4, 8, 13, 26]) if (weeks / step <= fit) return step
  return 52
}

function config (report: SeasonReport): Config {
  const days = report.byDay
  const firstMonday = days.findIndex((d) => weekdayOf(d.date) === 1)
  const reduceMotion = window.matchMedia('(prefers-reduced-motion: reduce)').matches
  return {
    type: 'bar',
    data: {
      labels: days.map((d) => d.date),
      datasets: [
        {
          type: 'bar',
          label: 'Créneaux offerts',
          data: days.map((d) => d.offered),
          yAxisID: 'slots',
          backgroundColor: COLORS.offered,
          grouped: false,
          barPercentage: 0.9,
          categoryPercentage: 1,
          order: 2
        },
        {
          type: 'bar',
          label: 'Créneaux réservés',
          data: days.map((d) => d.booked),
          yAxisID: 'slots',
          backgroundColor: COLORS.booked,
          // Drawn over the offered bar of the same day (booked ≤ offered): one bar reads as "filled so far".
          grouped: false,
          barPercentage: 0.65,
          categoryPercentage: 1,
          order: 1
        },
        {
          type: 'line',
          label: 'Taux de remplissage (%)',
          data: days.map((d) => d.fillRate === null ? null : Math.round(d.fillRate * 1000) / 10),
          yAxisID: 'rate',
          borderColor: COLORS.rate,
          backgroundColor: COLORS.rate,
          borderWidth: 2,
          // Dots only while days are wide enough to tell them apart (not on a phone, nor over a year).
          pointRadius: (ctx) => ctx.chart.chartArea !== undefined && ctx.chart.chartArea.width / days.length >= 12 ? 2 : 0,
          pointHoverRadius: 4,
          tension: 0.25,
          spanGaps: true,
          order: 0
        }
      ]
    },
    options: {
      locale: 'fr-FR',
      responsive: true,
      maintainAspectRatio: false,
      // At least 2 device pixels per CSS pixel, so that the printed chart stays sharp.
      devicePixelRatio: Math.max(2, window.devicePixelRatio),
      animation: reduceMotion ? false : { duration: 300 },
      interaction: { mode: 'index', intersect: false },
      plugins: {
        // Legend in the datasets' order (Chart.js would follow the drawing order).
        legend: { position: 'bottom', labels: { color: COLORS.text, boxWidth: 14, sort: (a, b) => (a.datasetIndex ?? 0) - (b.datasetIndex ?? 0) } },
        tooltip: {
          callbacks: {
            title: (items: Array<TooltipItem<Kind>>) => {
              const date = items[0]?.label
              return date === undefined ? '' : formatDay(date, { year: true })
            },
            label: (item: TooltipItem<Kind>) => {
              if (item.dataset.yAxisID === 'rate') {
                const d = days[item.dataIndex]
                return `Taux de remplissage : ${fmtPct(d?.fillRate ?? null)}`
              }
              return `${item.dataset.label ?? ''} : ${fmtInt(Number(item.raw))}`
            }
          }
        }
      },
      scales: {
        x: {
          // Weeks start on Monday: a label and a faint line before every Monday (every second,
          // fourth… Monday when they would crowd); the other days have neither, unless the
          // period is short enough to date every day.
          grid: { display: true, color: COLORS.grid, drawTicks: true },
          ticks: {
            color: COLORS.text,
            maxRotation: 0,
            autoSkip: false,
            callback (value) {
              const i = Number(value)
              const date = this.getLabelForValue(i)
              const width = this.chart.chartArea?.width ?? this.chart.width
              // A few days only: each has room for its date.
              if (width / days.length >= 48) return axisDay(date)
              if (weekdayOf(date) !== 1) return null
              return Math.floor((i - firstMonday) / 7) % mondayStep(days.length, width) === 0 ? axisDay(date) : null
            }
          }
        },
        slots: {
          type: 'linear',
          position: 'left',
          beginAtZero: true,
          title: { display: true, text: 'Créneaux', color: COLORS.text },
          ticks: { color: COLORS.text, precision: 0 },
          grid: { color: COLORS.grid }
        },
        rate: {
          type: 'linear',
          position: 'right',
          min: 0,
          max: 100,
          title: { display: true, text: 'Remplissage (%)', color: COLORS.rate },
          ticks: { color: COLORS.rate, stepSize: 25, callback: (v) => `${String(v)} %` },
          grid: { drawOnChartArea: false }
        }
      }
    }
  }
}

/** A short sentence of what the chart shows, for screen readers (the figures are in the tables). */
function summary (report: SeasonReport): string {
  const busiest = report.byDay.reduce<SeasonReport['byDay'][number] | null>((best, d) => best === null || d.offered > best.offered ? d : best, null)
  const parts = [`Créneaux offerts et réservés par jour ${periodLabel(report.period)}, avec le taux de remplissage.`]
  if (busiest !== null && busiest.offered > 0) parts.push(`Jour le plus offert : ${formatDay(busiest.date, { year: true })}, ${plural(busiest.offered, 'créneau', 'créneaux')}, ${plural(busiest.booked, 'réservé', 'réservés')}.`)
  const weeks = report.byWeek.filter((w) => w.fillRate !== null)
  const first = weeks[0]
  const last = weeks[weeks.length - 1]
  if (first !== undefined && last !== undefined && first !== last) {
    parts.push(`Remplissage de ${fmtPct(first.fillRate)} la première semaine à ${fmtPct(last.fillRate)} la dernière.`)
  }
  parts.push('Les données détaillées sont dans les tableaux par semaine et par jour.')
  return parts.join(' ')
}

export function BilanDailyChart (props: { report: SeasonReport }) {
  const canvas = useRef<HTMLCanvasElement>(null)
  const chart = useRef<Chart<Kind, Array<number | null>, string> | null>(null)
  const drawn = useRef<SeasonReport | null>(null)

  useEffect(() => {
    if (canvas.current === null) return
    chart.current = new Chart(canvas.current, config(props.report))
    drawn.current = props.report
    const c = chart.current
    // Print: draw at a fixed size that the print stylesheet scales to the page width, then back.
    const toPrint = (): void => { c.resize(PRINT_SIZE.width, PRINT_SIZE.height) }
    const toScreen = (): void => { c.resize() }
    const media = window.matchMedia('print')
    const onMedia = (e: MediaQueryListEvent): void => { if (e.matches) toPrint(); else toScreen() }
    window.addEventListener('beforeprint', toPrint)
    window.addEventListener('afterprint', toScreen)
    media.addEventListener('change', onMedia)
    return () => {
      window.removeEventListener('beforeprint', toPrint)
      window.removeEventListener('afterprint', toScreen)
      media.removeEventListener('change', onMedia)
      c.destroy()
      chart.current = null
    }
  }, [])

  useEffect(() => {
    const c = chart.current
    if (c === null || drawn.current === props.report) return
    drawn.current = props.report
    const next = config(props.report)
    c.data = next.data
    c.options = next.options ?? {}
    c.update()
  }, [props.report])

  return (
    <div class='bl-chart'>
      <canvas ref={canvas} role='img' aria-label={summary(props.report)}>
        {summary(props.report)}
      </canvas>
    </div>
  )
}
