using System.Security.Cryptography;
using System.Text;

namespace SalesDash.Web.Dashboards;

/// <summary>Makes share-link tokens and the hashes they are stored and looked up by.</summary>
public static class ShareTokens
{
    /// <summary>256 bits from the OS generator: unguessable, and short enough (43 characters) for a URL typed into a TV.</summary>
    public static string Create() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>Lower-case hex SHA-256 of the token. A fast hash is right here: the token is random, not a password.</summary>
    public static string Hash(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
    }

    /// <summary>True when the text could be a token at all, so junk never reaches the database.</summary>
    public static bool LooksValid(string? token) =>
        token is { Length: 43 } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
