using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SalesDash.Web.Outbound;

/// <summary>The one policy for server-side HTTP requests to addresses a tenant or a remote party chose, bound from "Outbound".</summary>
public sealed class OutboundOptions
{
    public const string Section = "Outbound";

    /// <summary>
    /// Addresses or CIDR ranges let through although they are loopback or private: for tests' local fakes and for a
    /// deliberate on-premises receiver. Empty (strict) by default.
    /// </summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Time to open the TCP connection; a black-holed address fails here instead of holding a worker for the client's whole timeout.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The most response body read from a remote: channel pages are far below this, and a hostile endpoint cannot fill memory.</summary>
    public long MaxResponseBytes { get; set; } = 16 * 1024 * 1024;
}

/// <summary>Resolves host names for outbound connections; a seam so tests can play a DNS answer that points at loopback.</summary>
public interface IOutboundDnsResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>The system resolver.</summary>
public sealed class SystemOutboundDnsResolver : IOutboundDnsResolver
{
    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) => Dns.GetHostAddressesAsync(host, cancellationToken);
}

/// <summary>A connection the outbound policy refused; its message says which address and why.</summary>
public sealed class OutboundRefusedException(string message) : IOException(message);

/// <summary>
/// Builds the handler every outbound named client uses. The address check runs in the connect callback, on the
/// addresses the name resolved to at the moment of connecting, so a DNS answer that changes after a URL was
/// validated (rebinding) still cannot reach an internal address. Redirects are not followed (a 3xx is the answer),
/// no proxy is used (it would connect on our behalf, unchecked), and response bodies are capped.
/// </summary>
public static class OutboundHttp
{
    public static SocketsHttpHandler CreateHandler(OutboundAddressPolicy policy, IOutboundDnsResolver resolver, OutboundOptions options)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(options);
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = options.ConnectTimeout,
            // Re-resolve now and then, so a long-lived pool never pins an address the policy would refuse today.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(policy, resolver, context.DnsEndPoint, cancellationToken),
        };
    }

    /// <summary>Resolves, refuses the host when any of its addresses is forbidden, then connects to the allowed ones in turn.</summary>
    public static async ValueTask<Stream> ConnectAsync(OutboundAddressPolicy policy, IOutboundDnsResolver resolver, DnsEndPoint endPoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(resolver);
        ArgumentNullException.ThrowIfNull(endPoint);
        var addresses = IPAddress.TryParse(endPoint.Host.Trim('[', ']'), out var literal)
            ? [literal]
            : await resolver.ResolveAsync(endPoint.Host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new OutboundRefusedException($"{endPoint.Host} has no address.");
        }

        // One forbidden address refuses the name: a name that mixes public and internal addresses is an attack, not a CDN.
        var refusals = addresses.Select(policy.WhyRefused).OfType<string>().ToList();
        if (refusals.Count > 0)
        {
            throw new OutboundRefusedException($"Requests to {endPoint.Host} are refused: {string.Join("; ", refusals)}.");
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw last!;
    }

    /// <summary>Binds and validates <see cref="OutboundOptions"/> and registers the address policy and resolver.</summary>
    public static IServiceCollection AddOutboundHttp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<OutboundOptions>()
            .Bind(configuration.GetSection(OutboundOptions.Section))
            .Validate(o => o.AllowedHosts.All(OutboundAddressPolicy.IsRange), "Outbound:AllowedHosts entries must be IP addresses or CIDR ranges.")
            .Validate(o => o.ConnectTimeout > TimeSpan.Zero && o.MaxResponseBytes > 0, "Outbound:ConnectTimeout and MaxResponseBytes must be positive.")
            .ValidateOnStart();
        services.TryAddSingleton(sp => new OutboundAddressPolicy(sp.GetRequiredService<IOptions<OutboundOptions>>().Value.AllowedHosts));
        services.TryAddSingleton<IOutboundDnsResolver, SystemOutboundDnsResolver>();
        return services;
    }

    /// <summary>A named HttpClient under the outbound policy: checked addresses, no redirects, capped responses.</summary>
    public static IHttpClientBuilder AddOutboundHttpClient(this IServiceCollection services, string name, Action<IServiceProvider, HttpClient>? configure = null) =>
        services.AddHttpClient(name, (sp, client) =>
            {
                client.MaxResponseContentBufferSize = sp.GetRequiredService<IOptions<OutboundOptions>>().Value.MaxResponseBytes;
                configure?.Invoke(sp, client);
            })
            .ConfigurePrimaryHttpMessageHandler(sp => CreateHandler(
                sp.GetRequiredService<OutboundAddressPolicy>(), sp.GetRequiredService<IOutboundDnsResolver>(), sp.GetRequiredService<IOptions<OutboundOptions>>().Value));
}
