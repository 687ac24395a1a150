using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.FacebookAds;

/// <summary>What a Meta ads connection is set with: the ad account (with or without act_), its time zone (the store's by default), where the first poll starts.</summary>
public sealed record FacebookAdsConnectionSettings(string AdAccountId, string? TimeZone, DateTimeOffset? Since);

/// <summary>The Marketing API access token a Meta ads connection reads with.</summary>
public sealed record FacebookAdsConnectionCredentials(string AccessToken);

/// <summary>A Meta ads connection: the ad account (without "act_"), its time zone (the store's unless set) and a long-lived token.</summary>
public sealed record FacebookAdsConnection(string AdAccountId, string TimeZone, DateTimeOffset Since, string AccessToken);

/// <summary>Meta ads spend, clicks and impressions per campaign per day, polled.</summary>
public sealed class FacebookAdsPollerModule : PollerModule<FacebookAdsConnection>
{
    public static ChannelDescriptor Descriptor { get; } = ChannelDescriptor.Poller<FacebookAdsConnectionSettings, FacebookAdsConnectionCredentials>(
        SalesChannel.FacebookAds, "Meta ads spend, clicks and impressions per campaign per day.", FacebookInsightsPoller.Stream, nameof(FacebookAdsConnectionSettings.AdAccountId));

    public override SalesChannel Channel => SalesChannel.FacebookAds;

    protected override FacebookAdsConnection Read(ConnectionValues values, PollerContext context)
    {
        return new(PollerModule.Required(values.Setting("adAccountId"), "adAccountId").Replace("act_", string.Empty, StringComparison.Ordinal),
            values.Setting("timeZone") ?? context.Store.TimeZone, context.Since(values), PollerModule.Required(values.Credential("accessToken"), "accessToken"));
    }

    protected override IChannelPoller Start(FacebookAdsConnection connection, PollerContext context)
    {
        return new FacebookInsightsPoller(context.Http, new StaticAccessToken(connection.AccessToken),
            new FacebookAdsSettings(context.Endpoints.FacebookGraph, context.Endpoints.FacebookApiVersion, connection.AdAccountId, connection.TimeZone,
                DateOnly.FromDateTime(connection.Since.UtcDateTime)),
            context.Store, context.Cursors, context.Time);
    }
}
