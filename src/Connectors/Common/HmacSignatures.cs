using System.Security.Cryptography;
using System.Text;

namespace SalesDash.Connectors.Common;

/// <summary>HMAC-SHA256 helpers shared by the channels whose webhooks are signed with a shared secret.</summary>
internal static class HmacSignatures
{
    public const int Sha256Length = 32;

    public static byte[] Sha256(string secret, ReadOnlySpan<byte> message) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message);

    /// <summary>Constant-time comparison of a presented base64 MAC with the expected bytes; malformed input is simply unequal.</summary>
    public static bool Base64Equals(ReadOnlySpan<byte> expected, string presented)
    {
        Span<byte> decoded = stackalloc byte[Sha256Length + 3];
        return Convert.TryFromBase64String(presented.Trim(), decoded, out var written)
            && written == expected.Length
            && CryptographicOperations.FixedTimeEquals(expected, decoded[..written]);
    }

    /// <summary>Constant-time comparison of a presented hex MAC (either case) with the expected bytes.</summary>
    public static bool HexEquals(ReadOnlySpan<byte> expected, ReadOnlySpan<char> presentedHex)
    {
        if (presentedHex.Length != expected.Length * 2)
        {
            return false;
        }

        Span<byte> decoded = stackalloc byte[Sha256Length];
        var status = Convert.FromHexString(presentedHex, decoded[..expected.Length], out _, out var written);
        return status == System.Buffers.OperationStatus.Done
            && written == expected.Length
            && CryptographicOperations.FixedTimeEquals(expected, decoded[..written]);
    }
}
