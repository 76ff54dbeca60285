package io.conprof.core.scrape;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads PEM certificates and private keys with the JDK alone; errors name the file. */
final class PemFiles {
  /** PEM files are small; anything larger is not a key or certificate bundle we should read. */
  static final long MAX_PEM_BYTES = 4L << 20;

  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+?)-----END \\1-----");
  private static final byte[] RSA_ALGORITHM_ID = {
    0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00
  };

  private PemFiles() {}

  static List<X509Certificate> certificates(Path file) throws IOException {
    List<X509Certificate> out = new ArrayList<>();
    try {
      CertificateFactory cf = CertificateFactory.getInstance("X.509");
      for (Block b : blocks(file)) {
        if (b.type.equals("CERTIFICATE")) {
          for (Certificate c : cf.generateCertificates(new ByteArrayInputStream(b.der))) {
            out.add((X509Certificate) c);
          }
        }
      }
    } catch (GeneralSecurityException e) {
      throw new IOException(file + ": not a valid PEM certificate: " + e.getMessage(), e);
    }
    if (out.isEmpty()) {
      throw new IOException(file + ": no PEM \"CERTIFICATE\" block found");
    }
    return out;
  }

  static PrivateKey privateKey(Path file) throws IOException {
    for (Block b : blocks(file)) {
      switch (b.type) {
        case "PRIVATE KEY":
          return pkcs8(file, b.der);
        case "RSA PRIVATE KEY":
          return pkcs8(file, wrapPkcs1(b.der));
        case "EC PRIVATE KEY":
          throw new IOException(file + ": SEC1 \"EC PRIVATE KEY\" is not supported; convert it to PKCS#8 with "
              + "'openssl pkcs8 -topk8 -nocrypt -in key.pem'");
        case "ENCRYPTED PRIVATE KEY":
          throw new IOException(file + ": encrypted private keys are not supported");
        default:
          break;
      }
    }
    throw new IOException(file + ": no PEM private key block (\"PRIVATE KEY\" or \"RSA PRIVATE KEY\") found");
  }

  private static PrivateKey pkcs8(Path file, byte[] der) throws IOException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : new String[] {"RSA", "EC", "Ed25519", "EdDSA"}) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw new IOException(file + ": private key is neither RSA, EC nor Ed25519 PKCS#8");
  }

  /** PKCS#1 RSAPrivateKey wrapped as a PKCS#8 PrivateKeyInfo. */
  private static byte[] wrapPkcs1(byte[] pkcs1) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(RSA_ALGORITHM_ID);
    body.write(0x04);
    writeLength(body, pkcs1.length);
    body.writeBytes(pkcs1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    writeLength(out, body.size());
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static void writeLength(ByteArrayOutputStream out, int len) {
    if (len < 0x80) {
      out.write(len);
    } else if (len < 0x100) {
      out.write(0x81);
      out.write(len);
    } else if (len < 0x10000) {
      out.write(0x82);
      out.write(len >>> 8);
      out.write(len);
    } else {
      out.write(0x83);
      out.write(len >>> 16);
      out.write(len >>> 8);
      out.write(len);
    }
  }

  private record Block(String type, byte[] der) {}

  private static List<Block> blocks(Path file) throws IOException {
    long size = Files.size(file);
    if (size > MAX_PEM_BYTES) {
      throw new IOException(file + ": " + size + " bytes is too large for a PEM file (limit " + MAX_PEM_BYTES + ")");
    }
    String text = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    List<Block> out = new ArrayList<>();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      try {
        out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": PEM block \"" + m.group(1) + "\" is not valid base64", e);
      }
    }
    if (out.isEmpty()) {
      throw new IOException(file + ": no PEM block found");
    }
    return out;
  }
}
