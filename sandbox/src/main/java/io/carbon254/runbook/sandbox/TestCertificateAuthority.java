package io.carbon254.runbook.sandbox;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed cluster CA made at sandbox start, like kubeadm's {@code /etc/kubernetes/pki/ca.crt}:
 * CN {@code kubernetes}, CA basic constraint, ten years. Only its certificate is published (in
 * {@code kube-public/cluster-info}); the private key never leaves this object.
 */
public final class TestCertificateAuthority {

  private final X509Certificate certificate;
  private final String pem;

  private TestCertificateAuthority(X509Certificate certificate, String pem) {
    this.certificate = certificate;
    this.pem = pem;
  }

  /** Generates a new CA (RSA 2048, SHA-256). */
  public static TestCertificateAuthority generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048, new SecureRandom());
      KeyPair keys = generator.generateKeyPair();
      Instant now = Instant.now();
      X500Name subject = new X500Name("CN=kubernetes");
      JcaX509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              subject,
              new BigInteger(63, new SecureRandom()),
              Date.from(now.minus(Duration.ofMinutes(5))),
              Date.from(now.plus(Duration.ofDays(3650))),
              subject,
              keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      X509CertificateHolder holder =
          builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate()));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
      StringWriter out = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
        writer.writeObject(cert);
      }
      return new TestCertificateAuthority(cert, out.toString());
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate the sandbox cluster CA", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** The certificate in PEM, as in a kubeconfig's {@code certificate-authority-data} (before base64). */
  public String pem() {
    return pem;
  }

  /** {@code sha256:<hex>} of the DER SubjectPublicKeyInfo: kubeadm's {@code --discovery-token-ca-cert-hash}. */
  public String publicKeyHash() {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
