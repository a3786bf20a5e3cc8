import { generate } from 'selfsigned';

/** A PEM key pair for a TLS server. */
export interface LoopbackCertificate {
  /** PEM private key. */
  readonly key: string;
  /** PEM certificate, also the only CA a client needs to trust. */
  readonly cert: string;
}

/**
 * Generates a self-signed RSA 2048 / SHA-256 certificate for loopback (`localhost`, `127.0.0.1`,
 * `::1`), valid for a year, to serve the sandbox cloud over HTTPS. It is a CA of its own so that a
 * client can trust exactly this certificate and nothing else (DESIGN.md, "Known traps").
 * @param commonName the certificate's CN, for diagnostics
 */
export async function loopbackCertificate(commonName: string): Promise<LoopbackCertificate> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keySize: 2048,
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
