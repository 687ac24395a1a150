using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.GoogleAds;

/// <summary>A Google Ads connection: customer (and manager) ids without dashes, developer token, time zone and the Google grant.</summary>
public sealed record GoogleAdsConnection(string CustomerId, string? LoginCustomerId, string DeveloperToken, string TimeZone, DateTimeOffset Since, OAuthRefreshCredentials Credentials);

/// <summary>Google Ads spend, clicks and impressions per campaign per day, polled.</summary>
public sealed class GoogleAdsPollerModule : PollerModule<GoogleAdsConnection>
{
    public override SalesChannel Channel => SalesChannel.GoogleAds;

    public override GoogleAdsConnection Bind(ConnectionValues values, PollerContext context)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(context);
        return new(PollerModule.Required(values.Setting("customerId"), "customerId").Replace("-", string.Empty, StringComparison.Ordinal),
            values.Setting("loginCustomerId")?.Replace("-", string.Empty, StringComparison.Ordinal),
            PollerModule.Required(values.Credential("developerToken"), "developerToken"),
            values.Setting("timeZone") ?? context.Store.TimeZone, context.Since(values), OAuthRefreshCredentials.Bind(values));
    }

    public override IChannelPoller Create(GoogleAdsConnection connection, PollerContext context)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(context);
        return new GoogleAdsSpendPoller(context.ChannelHttp(), connection.Credentials.Source(context.Http, context.Endpoints.GoogleToken, context.Time),
            new GoogleAdsSettings(context.Endpoints.GoogleAds, context.Endpoints.GoogleAdsApiVersion, connection.CustomerId, connection.LoginCustomerId,
                connection.DeveloperToken, connection.TimeZone, DateOnly.FromDateTime(connection.Since.UtcDateTime)),
            context.Store, context.Cursors, context.Time);
    }
}
