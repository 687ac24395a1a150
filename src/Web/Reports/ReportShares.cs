using System.Security.Cryptography;
using System.Text;

namespace SalesDash.Web.Reports;

/// <summary>What a share token opens.</summary>
public enum ShareCheck
{
    Active,

    /// <summary>The report's link, switched off by its owner.</summary>
    Revoked,

    /// <summary>No report, a link since replaced, or a secret that does not match.</summary>
    Unknown,
}

/// <summary>
/// Read-only report links. A token is "{reportId}.{shareId}.{secret}": the ids find the report, and the secret (32
/// random bytes) is checked against the SHA-256 hash the report keeps, in constant time, so the database never holds a
/// working link.
/// </summary>
public static class ReportShares
{
    public static (ReportShare Share, string Token) Create(string reportId, DateTimeOffset now)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (new ReportShare(id, Hash(secret), now, null), $"{reportId}.{id}.{secret}");
    }

    public static bool TryRead(string? token, out string reportId, out string shareId, out string secret)
    {
        var parts = (token ?? string.Empty).Split('.');
        (reportId, shareId, secret) = parts.Length == 3 ? (parts[0], parts[1], parts[2]) : (string.Empty, string.Empty, string.Empty);
        return parts.Length == 3 && parts.All(p => p.Length > 0);
    }

    public static ShareCheck Check(ReportDefinition? report, string token)
    {
        if (report?.Share is not { } share || !TryRead(token, out var reportId, out var shareId, out var secret)
            || reportId != report.Id || shareId != share.Id
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(share.SecretHash)))
        {
            return ShareCheck.Unknown;
        }

        return share.RevokedAt is null ? ShareCheck.Active : ShareCheck.Revoked;
    }

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
