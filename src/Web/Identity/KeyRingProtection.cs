using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace SalesDash.Web.Identity;

/// <summary>
/// Encrypts the Data Protection key ring (kept in the app database) with a certificate from configuration, so a copy
/// of the database alone opens no cookie, channel credential or webhook secret. Section "DataProtection".
/// </summary>
public static class KeyRingProtection
{
    public const string Section = "DataProtection";

    /// <summary>
    /// With DataProtection:Certificate set (a PKCS#12 file's path, or its bytes in base64, e.g. from a Kubernetes
    /// Secret) new keys are written encrypted to it; it and DataProtection:PreviousCertificates:n open existing keys, so
    /// the certificate can be replaced without losing them. Unset, keys are stored unencrypted (a laptop).
    /// </summary>
    public static IDataProtectionBuilder ProtectKeysWithConfiguredCertificate(this IDataProtectionBuilder builder, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        if (string.IsNullOrWhiteSpace(section["Certificate"]))
        {
            return builder;
        }

        var current = Load(section["Certificate"]!, section["CertificatePassword"], $"{Section}:Certificate");
        var previous = section.GetSection("PreviousCertificates").GetChildren()
            .Select(c => Load(c.Value ?? string.Empty, c["Password"] ?? section["CertificatePassword"], c.Path));
        builder.ProtectKeysWithCertificate(current);
        builder.UnprotectKeysWithAnyCertificate([current, .. previous]);
        return builder;
    }

    private static X509Certificate2 Load(string value, string? password, string setting)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = File.Exists(value)
                ? X509CertificateLoader.LoadPkcs12FromFile(value, password)
                : X509CertificateLoader.LoadPkcs12(Convert.FromBase64String(value), password);
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw new InvalidOperationException($"{setting} is neither a readable PKCS#12 file nor base64 PKCS#12 bytes (or its password is wrong).", e);
        }

        if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is null)
        {
            throw new InvalidOperationException($"{setting} needs an RSA certificate with its private key: the key ring is decrypted with it.");
        }

        return certificate;
    }
}
