using System.Globalization;
using SalesDash.Connectors.Common;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;

namespace SalesDash.Connectors.Polling;

/// <summary>The channels' API hosts; the defaults are the vendors' production endpoints (tests and sandboxes override them).</summary>
public sealed class ChannelEndpoints
{
    public Uri AmazonNorthAmerica { get; set; } = new("https://sellingpartnerapi-na.amazon.com");
    public Uri AmazonEurope { get; set; } = new("https://sellingpartnerapi-eu.amazon.com");
    public Uri AmazonFarEast { get; set; } = new("https://sellingpartnerapi-fe.amazon.com");
    public Uri AmazonToken { get; set; } = new("https://api.amazon.com/auth/o2/token");
    public Uri GoogleToken { get; set; } = new("https://oauth2.googleapis.com/token");
    public Uri GoogleAnalyticsData { get; set; } = new("https://analyticsdata.googleapis.com");
    public Uri GoogleAds { get; set; } = new("https://googleads.googleapis.com");
    public string GoogleAdsApiVersion { get; set; } = "v18";
    public Uri FacebookGraph { get; set; } = new("https://graph.facebook.com");
    public string FacebookApiVersion { get; set; } = "v21.0";
    public string ShopifyApiVersion { get; set; } = "2024-10";
    public Uri PayPal { get; set; } = new("https://api-m.paypal.com");
    public Uri PayPalSandbox { get; set; } = new("https://api-m.sandbox.paypal.com");
}

/// <summary>What every poller is built from besides its connection: the HTTP client, the endpoints, the store, its cursors and the clock.</summary>
public sealed record PollerContext(HttpClient Http, ChannelEndpoints Endpoints, StoreProfile Store, ICursorStore Cursors, TimeProvider Time)
{
    /// <summary>How far back a first poll reaches when the connection does not say ("since").</summary>
    public static readonly TimeSpan DefaultBackfill = TimeSpan.FromDays(7);

    public ChannelHttp ChannelHttp() => new(Http, Time);

    /// <summary>The connection's "since" setting, else a week ago.</summary>
    public DateTimeOffset Since(ConnectionValues values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.Setting("since") is { } text
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at.ToUniversalTime()
                : Time.GetUtcNow() - DefaultBackfill;
    }
}

/// <summary>An OAuth refresh-token grant (Amazon LWA, Google): the app's id and secret and the merchant's refresh token.</summary>
public sealed record OAuthRefreshCredentials(string ClientId, string ClientSecret, string RefreshToken)
{
    public static OAuthRefreshCredentials Bind(ConnectionValues values) => new(
        PollerModule.Required(values.Credential("clientId"), "clientId"),
        PollerModule.Required(values.Credential("clientSecret"), "clientSecret"),
        PollerModule.Required(values.Credential("refreshToken"), "refreshToken"));

    public RefreshTokenSource Source(HttpClient http, Uri tokenEndpoint, TimeProvider time) => new(http, tokenEndpoint, ClientId, ClientSecret, RefreshToken, time);
}

/// <summary>A channel read on a schedule: its typed connection, bound from the stored values in one place, and its poller.</summary>
public interface IPollerModule
{
    SalesChannel Channel { get; }

    /// <exception cref="InvalidOperationException">The connection lacks a value the poller needs (named in the message).</exception>
    IChannelPoller Create(ConnectionValues values, PollerContext context);
}

/// <summary>A poller module whose connection is one typed record.</summary>
public abstract class PollerModule<TConnection> : IPollerModule
{
    public abstract SalesChannel Channel { get; }

    /// <summary>The connection in typed form; a missing required value throws, naming it.</summary>
    public TConnection Bind(ConnectionValues values, PollerContext context)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(context);
        return Read(values, context);
    }

    public IChannelPoller Create(ConnectionValues values, PollerContext context) => Create(Bind(values, context), context);

    public IChannelPoller Create(TConnection connection, PollerContext context)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(context);
        return Start(connection, context);
    }

    /// <summary>Reads the connection from its values (both given); a missing required value throws, naming it.</summary>
    protected abstract TConnection Read(ConnectionValues values, PollerContext context);

    /// <summary>The poller for a bound connection (both given).</summary>
    protected abstract IChannelPoller Start(TConnection connection, PollerContext context);
}

/// <summary>Helpers for binding connection values.</summary>
public static class PollerModule
{
    public static string Required(string? value, string key) => value ?? throw new InvalidOperationException($"The connection has no '{key}'.");
}
