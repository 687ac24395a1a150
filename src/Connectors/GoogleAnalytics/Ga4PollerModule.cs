using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.GoogleAnalytics;

/// <summary>What a GA4 connection is set with: the property, its time zone (the store's by default), where the first poll starts, the conversion metric (keyEvents by default).</summary>
public sealed record Ga4ConnectionSettings(string PropertyId, string? TimeZone, DateTimeOffset? Since, string? ConversionMetric);

/// <summary>A GA4 connection: the property, its time zone (the store's unless set), the conversion metric and the Google grant.</summary>
public sealed record Ga4Connection(string PropertyId, string TimeZone, DateTimeOffset Since, string ConversionMetric, OAuthRefreshCredentials Credentials);

/// <summary>GA4 sessions, users, traffic source and conversions per hour, polled.</summary>
public sealed class Ga4PollerModule : PollerModule<Ga4Connection>
{
    public static ChannelDescriptor Descriptor { get; } = ChannelDescriptor.Poller<Ga4ConnectionSettings, OAuthRefreshCredentials>(
        SalesChannel.GoogleAnalytics, "GA4 sessions, users, traffic source and conversions per hour.", Ga4TrafficPoller.Stream, nameof(Ga4ConnectionSettings.PropertyId));

    public override SalesChannel Channel => SalesChannel.GoogleAnalytics;

    protected override Ga4Connection Read(ConnectionValues values, PollerContext context)
    {
        return new(PollerModule.Required(values.Setting("propertyId"), "propertyId"), values.Setting("timeZone") ?? context.Store.TimeZone,
            context.Since(values), values.Setting("conversionMetric") ?? "keyEvents", OAuthRefreshCredentials.Bind(values));
    }

    protected override IChannelPoller Start(Ga4Connection connection, PollerContext context)
    {
        return new Ga4TrafficPoller(context.ChannelHttp(), connection.Credentials.Source(context.Http, context.Endpoints.GoogleToken, context.Time),
            new Ga4Settings(context.Endpoints.GoogleAnalyticsData, connection.PropertyId, connection.TimeZone, DateOnly.FromDateTime(connection.Since.UtcDateTime),
                ConversionMetric: connection.ConversionMetric),
            context.Store, context.Cursors, context.Time);
    }

    /// <summary>The realtime reader for the same connection (same property, zone and Google grant as the hourly poller).</summary>
    public Ga4RealtimeReader CreateRealtime(ConnectionValues values, PollerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connection = Bind(values, context);
        return new Ga4RealtimeReader(context.ChannelHttp(), connection.Credentials.Source(context.Http, context.Endpoints.GoogleToken, context.Time),
            context.Endpoints.GoogleAnalyticsData, connection.PropertyId, connection.TimeZone, context.Time);
    }
}
