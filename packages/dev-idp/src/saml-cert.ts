import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** A signing key and its self-signed certificate, both PEM. */
export interface SigningMaterial {
  privateKeyPem: string;
  certificatePem: string;
}

/**
 * Generates an RSA-2048 key (node:crypto, fast) and a self-signed
 * certificate for it (node-forge), valid for a year. Fresh at every start:
 * no demo key exists to leak.
 */
export function generateSigningMaterial(commonName: string): SigningMaterial {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const attrs = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'Rolegate demo' },
  ];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.sign(forge.pki.privateKeyFromPem(privateKeyPem) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return { privateKeyPem, certificatePem: forge.pki.certificateToPem(cert) };
}
