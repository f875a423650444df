/**
 * The short reference of a booking that people read out and type: the first 8 characters of
 * its id. The regulator's confirmation, /praticien, the calendar feed and the mails all show
 * this same form, so a GP and a regulator on the phone can name the same booking.
 */
export const bookingReference = (bookingId: string): string => bookingId.slice(0, 8)
