/** FHIR OperationOutcome: how every failure of the `/fhir` routes is answered. */

export type IssueCode = 'invalid' | 'structure' | 'required' | 'value' | 'duplicate' | 'multiple-matches' | 'not-supported' | 'too-costly' |
  'login' | 'forbidden' | 'not-found' | 'exception'

export interface OperationOutcome {
  resourceType: 'OperationOutcome'
  issue: Array<{ severity: 'error' | 'fatal', code: IssueCode, diagnostics: string }>
}

/** One issue per problem found (a refused resource lists all of its faults at once). */
export function operationOutcomeOf (issues: Array<{ code: IssueCode, message: string }>): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues.map((i) => ({ severity: 'error', code: i.code, diagnostics: i.message })) }
}

export function operationOutcome (code: IssueCode, diagnostics: string): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: [{ severity: code === 'exception' ? 'fatal' : 'error', code, diagnostics }] }
}

/** A failure a route throws: the plugin's error handler answers it as an OperationOutcome. */
export class FhirError extends Error {
  readonly statusCode: number
  readonly issueCode: IssueCode
  /** More issues than the first (the message's), when a resource has several faults. */
  readonly issues: Array<{ code: IssueCode, message: string }>
  constructor (statusCode: number, issueCode: IssueCode, message: string, issues?: Array<{ code: IssueCode, message: string }>) {
    super(message)
    this.name = 'FhirError'
    this.statusCode = statusCode
    this.issueCode = issueCode
    this.issues = issues ?? [{ code: issueCode, message }]
  }
}
