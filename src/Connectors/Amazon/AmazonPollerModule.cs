using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Amazon;

/// <summary>An Amazon SP-API connection: region (na, eu or fe), marketplaces, where the first poll starts, and the LWA grant.</summary>
public sealed record AmazonConnection(string Region, IReadOnlyList<string> MarketplaceIds, DateTimeOffset Since, OAuthRefreshCredentials Credentials);

/// <summary>Amazon Selling Partner API orders, polled.</summary>
public sealed class AmazonPollerModule : PollerModule<AmazonConnection>
{
    public override SalesChannel Channel => SalesChannel.Amazon;

    public override AmazonConnection Bind(ConnectionValues values, PollerContext context)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(context);
        return new((values.Setting("region") ?? "na").ToLowerInvariant(),
            PollerModule.Required(values.Setting("marketplaceIds"), "marketplaceIds").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            context.Since(values), OAuthRefreshCredentials.Bind(values));
    }

    public override IChannelPoller Create(AmazonConnection connection, PollerContext context)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(context);
        var endpoints = context.Endpoints;
        var host = connection.Region switch
        {
            "eu" => endpoints.AmazonEurope,
            "fe" => endpoints.AmazonFarEast,
            _ => endpoints.AmazonNorthAmerica,
        };
        return new AmazonOrdersPoller(context.ChannelHttp(), connection.Credentials.Source(context.Http, endpoints.AmazonToken, context.Time),
            new AmazonSettings(host, connection.MarketplaceIds, connection.Since), context.Store, context.Cursors, context.Time);
    }
}
