using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.GoogleAds;

/// <summary>What a Google Ads connection is set with: the customer (and the manager it is reached through), its time zone (the store's by default), where the first poll starts.</summary>
public sealed record GoogleAdsConnectionSettings(string CustomerId, string? LoginCustomerId, string? TimeZone, DateTimeOffset? Since);

/// <summary>The developer token and the OAuth grant a Google Ads connection reads with.</summary>
public sealed record GoogleAdsConnectionCredentials(string DeveloperToken, string ClientId, string ClientSecret, string RefreshToken);

/// <summary>A Google Ads connection: customer (and manager) ids without dashes, developer token, time zone and the Google grant.</summary>
public sealed record GoogleAdsConnection(string CustomerId, string? LoginCustomerId, string DeveloperToken, string TimeZone, DateTimeOffset Since, OAuthRefreshCredentials Credentials);

/// <summary>Google Ads spend, clicks and impressions per campaign per day, polled.</summary>
public sealed class GoogleAdsPollerModule : PollerModule<GoogleAdsConnection>
{
    public static ChannelDescriptor Descriptor { get; } = ChannelDescriptor.Poller<GoogleAdsConnectionSettings, GoogleAdsConnectionCredentials>(
        SalesChannel.GoogleAds, "Google Ads spend, clicks and impressions per campaign per day.", GoogleAdsSpendPoller.Stream, nameof(GoogleAdsConnectionSettings.CustomerId));

    public override SalesChannel Channel => SalesChannel.GoogleAds;

    protected override GoogleAdsConnection Read(ConnectionValues values, PollerContext context)
    {
        return new(PollerModule.Required(values.Setting("customerId"), "customerId").Replace("-", string.Empty, StringComparison.Ordinal),
            values.Setting("loginCustomerId")?.Replace("-", string.Empty, StringComparison.Ordinal),
            PollerModule.Required(values.Credential("developerToken"), "developerToken"),
            values.Setting("timeZone") ?? context.Store.TimeZone, context.Since(values), OAuthRefreshCredentials.Bind(values));
    }

    protected override IChannelPoller Start(GoogleAdsConnection connection, PollerContext context)
    {
        return new GoogleAdsSpendPoller(context.ChannelHttp(), connection.Credentials.Source(context.Http, context.Endpoints.GoogleToken, context.Time),
            new GoogleAdsSettings(context.Endpoints.GoogleAds, context.Endpoints.GoogleAdsApiVersion, connection.CustomerId, connection.LoginCustomerId,
                connection.DeveloperToken, connection.TimeZone, DateOnly.FromDateTime(connection.Since.UtcDateTime)),
            context.Store, context.Cursors, context.Time);
    }
}
