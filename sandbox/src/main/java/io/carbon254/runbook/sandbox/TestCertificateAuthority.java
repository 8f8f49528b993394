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
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed cluster CA made at sandbox start, like kubeadm's {@code /etc/kubernetes/pki/ca.crt}:
 * CN {@code kubernetes}, CA basic constraint, ten years. Its certificate is published (in
 * {@code kube-public/cluster-info}); its private key goes only to a real {@link ControlPlane}'s
 * private folder (serving certificates are {@linkplain #issue issued} by it, and the controller
 * manager signs with it, as kubeadm's control plane does).
 */
public final class TestCertificateAuthority {

  private final X509Certificate certificate;
  private final String pem;
  private final KeyPair keys;

  private TestCertificateAuthority(X509Certificate certificate, String pem, KeyPair keys) {
    this.certificate = certificate;
    this.pem = pem;
    this.keys = keys;
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
      return new TestCertificateAuthority(cert, pem(cert), keys);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot generate the sandbox cluster CA", e);
    }
  }

  /** A certificate and its private key, both PEM. */
  public record Issued(String certificatePem, String privateKeyPem) {

    /** A TLS server socket factory presenting this certificate (for a fake that serves HTTPS). */
    public javax.net.ssl.SSLSocketFactory serverSocketFactory() {
      try {
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        char[] password = "sandbox".toCharArray();
        store.setKeyEntry("serving", privateKey(), password, new java.security.cert.Certificate[] {certificate()});
        javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, password);
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context.getSocketFactory();
      } catch (GeneralSecurityException | IOException e) {
        throw new IllegalStateException("cannot serve TLS with the issued certificate", e);
      }
    }

    /** The certificate, parsed. */
    public X509Certificate certificate() {
      try {
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(new java.io.ByteArrayInputStream(certificatePem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot read the issued certificate", e);
      }
    }

    /** The (EC) private key, parsed. */
    public java.security.PrivateKey privateKey() {
      try {
        String base64 = privateKeyPem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return java.security.KeyFactory.getInstance("EC")
            .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(base64)));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot read the issued private key", e);
      }
    }
  }

  /**
   * A serving certificate signed by this CA (EC P-256, one year) for {@code commonName} with the
   * given IP and DNS subject alternative names.
   */
  public Issued issue(String commonName, List<String> ipAddresses, List<String> dnsNames) {
    return issue(commonName, ipAddresses, dnsNames, Instant.now().plus(Duration.ofDays(365)));
  }

  /** As {@link #issue(String, List, List)}, valid until {@code notAfter} (in the past: an expired certificate). */
  public Issued issue(String commonName, List<String> ipAddresses, List<String> dnsNames, Instant notAfter) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(256, new SecureRandom());
      KeyPair leaf = generator.generateKeyPair();
      Instant now = Instant.now();
      JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          new X500Name("CN=kubernetes"), new BigInteger(63, new SecureRandom()),
          Date.from(earliest(now.minus(Duration.ofMinutes(5)), notAfter.minus(Duration.ofDays(90)))),
          Date.from(notAfter), new X500Name("CN=" + commonName), leaf.getPublic());
      List<GeneralName> names = new ArrayList<>();
      ipAddresses.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
      dnsNames.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
      builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate())));
      return new Issued(pem(cert), pem(leaf.getPrivate()));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
    }
  }

  private static Instant earliest(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  /** This CA's private key, PEM (for a control plane's signing controllers only). */
  String privateKeyPem() {
    return pem(keys.getPrivate());
  }

  /** A key as PEM: PKCS#8 for a private key, SubjectPublicKeyInfo for a public one (what Go's x509 reads). */
  static String pem(java.security.Key key) {
    String type = key instanceof java.security.PrivateKey ? "PRIVATE KEY" : "PUBLIC KEY";
    return "-----BEGIN " + type + "-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .encodeToString(key.getEncoded()) + "\n-----END " + type + "-----\n";
  }

  /** A certificate as PEM. */
  static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
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
