using System.Net;
using System.Net.Sockets;

namespace SalesDash.Web.Outbound;

/// <summary>
/// Which IP addresses a server-side request may connect to. Tenants choose the URLs (alert webhooks, shop domains),
/// so anything that is not a public unicast address is refused: loopback, private (RFC 1918, fc00::/7), link-local
/// (169.254/16 with the cloud metadata service, fe80::/10), CGNAT (100.64/10), multicast, unspecified, broadcast,
/// documentation and benchmarking ranges, and IPv4 hidden in IPv6 (mapped, NAT64, 6to4). Pure: tested without sockets.
/// </summary>
public sealed class OutboundAddressPolicy
{
    private static readonly (IPAddress Network, int Prefix, string Why)[] Refused =
    [
        (IPAddress.Parse("0.0.0.0"), 8, "an unspecified ('this network') address"),
        (IPAddress.Parse("10.0.0.0"), 8, "a private (RFC 1918) address"),
        (IPAddress.Parse("100.64.0.0"), 10, "a carrier-grade NAT (RFC 6598) address"),
        (IPAddress.Parse("127.0.0.0"), 8, "a loopback address"),
        (IPAddress.Parse("169.254.0.0"), 16, "a link-local or cloud metadata address"),
        (IPAddress.Parse("172.16.0.0"), 12, "a private (RFC 1918) address"),
        (IPAddress.Parse("192.0.0.0"), 24, "an IETF protocol assignment address"),
        (IPAddress.Parse("192.0.2.0"), 24, "a documentation address"),
        (IPAddress.Parse("192.168.0.0"), 16, "a private (RFC 1918) address"),
        (IPAddress.Parse("198.18.0.0"), 15, "a benchmarking address"),
        (IPAddress.Parse("198.51.100.0"), 24, "a documentation address"),
        (IPAddress.Parse("203.0.113.0"), 24, "a documentation address"),
        (IPAddress.Parse("224.0.0.0"), 4, "a multicast address"),
        (IPAddress.Parse("240.0.0.0"), 4, "a reserved or broadcast address"),
        (IPAddress.Parse("::"), 128, "an unspecified address"),
        (IPAddress.Parse("::1"), 128, "a loopback address"),
        (IPAddress.Parse("100::"), 64, "a discard-only address"),
        (IPAddress.Parse("2001:db8::"), 32, "a documentation address"),
        (IPAddress.Parse("fc00::"), 7, "a unique local (private) address"),
        (IPAddress.Parse("fe80::"), 10, "a link-local address"),
        (IPAddress.Parse("fec0::"), 10, "a site-local address"),
        (IPAddress.Parse("ff00::"), 8, "a multicast address"),
    ];

    private readonly IReadOnlyList<(IPAddress Network, int Prefix)> _allowed;

    /// <param name="allowed">Addresses or CIDR ranges let through despite the rules (tests' loopback fakes); empty in production.</param>
    public OutboundAddressPolicy(IEnumerable<string>? allowed = null)
    {
        _allowed = (allowed ?? []).Select(ParseRange).ToList();
    }

    /// <summary>Null when the address may be connected to, otherwise why not (for the error the caller sees).</summary>
    public string? WhyRefused(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (_allowed.Any(a => Contains(a.Network, a.Prefix, address)))
        {
            return null;
        }

        var effective = Embedded(address);
        foreach (var (network, prefix, why) in Refused)
        {
            if (Contains(network, prefix, effective))
            {
                return $"{address} is {why}";
            }
        }

        return effective.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6 ? null : $"{address} is not an IP address";
    }

    /// <summary>
    /// The IPv4 address an IPv6 one stands for when it carries one (::ffff:a.b.c.d, 64:ff9b::a.b.c.d, 2002:AABB:CCDD::),
    /// so "[::ffff:127.0.0.1]" is judged as 127.0.0.1.
    /// </summary>
    private static IPAddress Embedded(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var bytes = address.GetAddressBytes();
        if (Contains(IPAddress.Parse("64:ff9b::"), 96, address))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        if (bytes[0] == 0x20 && bytes[1] == 0x02)
        {
            return new IPAddress(bytes.AsSpan(2, 4));
        }

        // IPv4-compatible (::a.b.c.d, deprecated) except :: and ::1, which the table names.
        if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !address.Equals(IPAddress.IPv6Any) && !address.Equals(IPAddress.IPv6Loopback))
        {
            return new IPAddress(bytes.AsSpan(12, 4));
        }

        return address;
    }

    private static (IPAddress Network, int Prefix) ParseRange(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = IPAddress.Parse(slash < 0 ? text.Trim() : text[..slash].Trim());
        var prefix = slash < 0 ? (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)
            : int.Parse(text[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return (address, prefix);
    }

    /// <summary>True when <paramref name="text"/> is an address or CIDR range the policy can read.</summary>
    public static bool IsRange(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        try
        {
            var (address, prefix) = ParseRange(text);
            return prefix >= 0 && prefix <= (address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool Contains(IPAddress network, int prefix, IPAddress address)
    {
        if (network.AddressFamily != address.AddressFamily)
        {
            return false;
        }

        var n = network.GetAddressBytes();
        var a = address.GetAddressBytes();
        var full = prefix / 8;
        if (!n.AsSpan(0, full).SequenceEqual(a.AsSpan(0, full)))
        {
            return false;
        }

        var rest = prefix % 8;
        if (rest == 0)
        {
            return true;
        }

        var mask = (byte)(0xFF << (8 - rest));
        return (n[full] & mask) == (a[full] & mask);
    }
}
