/**
 * The usage text of `cem as2` and what `serve` needs to stop, apart from the command itself so
 * the other commands never load the AS2 adapter (and pkijs).
 *
 * @module
 */

export const AS2_USAGE =
  'cem as2 send FILE --url URL --from ID --to ID --sign CERT,KEY --encrypt PARTNER_CERT\n' +
  '            [--mdn sync|none] [--mdn-out FILE] [--verify-mdn CERT] [--content-type TYPE] [--cipher aes-128-cbc|aes-192-cbc|aes-256-cbc]\n' +
  '  cem as2 serve --port P --as2-id ID --cert CERT,KEY [--cert ...] --partner ID=CERT [--partner ...] --out DIR [--host HOST]';

/** What `serve` needs beyond {@link CliIo}: a way to wait until it is stopped. */
export interface ServeControl {
  /** Resolves when the server should stop (SIGINT/SIGTERM for the real process). */
  readonly stopped: Promise<void>;
}

