package io.kvorum.server.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The names a certificate stands for. A node's certificate names it {@code node-<id>} as a
 * DNS subject alternative name (the common name is accepted too), which is how a peer proves
 * which member it is; a client certificate's common name is the user it authenticates as.
 */
public final class CertNames {
    private static final int SAN_DNS = 2;

    private CertNames() {
    }

    /** The name node {@code id}'s certificate must carry. */
    public static String nodeName(long id) {
        return "node-" + Long.toUnsignedString(id);
    }

    /** The subject's common name, or null. */
    public static String commonName(X509Certificate c) {
        try {
            for (Rdn rdn : new LdapName(c.getSubjectX500Principal().getName()).getRdns()) {
                if (rdn.getType().equalsIgnoreCase("CN")) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            return null;
        }
        return null;
    }

    /** The common name and every DNS subject alternative name. */
    public static List<String> names(X509Certificate c) {
        List<String> out = new ArrayList<>();
        String cn = commonName(c);
        if (cn != null) {
            out.add(cn);
        }
        try {
            Collection<List<?>> sans = c.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(SAN_DNS).equals(san.get(0))) {
                        out.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // an unparsable SAN extension names nothing
        }
        return out;
    }
}
