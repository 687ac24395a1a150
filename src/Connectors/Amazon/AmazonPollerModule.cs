using SalesDash.Connectors.Common;
using SalesDash.Connectors.Polling;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Connectors.Amazon;

/// <summary>An Amazon SP-API connection: region (na, eu or fe), marketplaces, where the first poll starts, and the LWA grant.</summary>
public sealed record AmazonConnection(string Region, IReadOnlyList<string> MarketplaceIds, DateTimeOffset Since, OAuthRefreshCredentials Credentials);

/// <summary>The SP-API region whose host serves the marketplaces: North America, Europe or the Far East.</summary>
public enum AmazonRegion
{
    Na,
    Eu,
    Fe,
}

/// <summary>What an Amazon connection is set with: the marketplaces (comma-separated ids), the region (na by default) and where the first poll starts.</summary>
public sealed record AmazonConnectionSettings(IReadOnlyList<string> MarketplaceIds, AmazonRegion? Region, DateTimeOffset? Since);

/// <summary>Amazon Selling Partner API orders, polled, and the seller's FBA stock and catalogue categories.</summary>
public sealed class AmazonPollerModule : PollerModule<AmazonConnection>, ICatalogueModule
{
    public static ChannelDescriptor Descriptor { get; } = ChannelDescriptor.Poller<AmazonConnectionSettings, OAuthRefreshCredentials>(
        SalesChannel.Amazon, "Amazon Selling Partner API orders; region is na, eu or fe; marketplaceIds is a comma-separated list.",
        AmazonOrdersPoller.Stream, nameof(AmazonConnectionSettings.MarketplaceIds), nameof(AmazonConnectionSettings.Region));

    public override SalesChannel Channel => SalesChannel.Amazon;

    protected override AmazonConnection Read(ConnectionValues values, PollerContext context)
    {
        return new((values.Setting("region") ?? "na").ToLowerInvariant(),
            PollerModule.Required(values.Setting("marketplaceIds"), "marketplaceIds").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            context.Since(values), OAuthRefreshCredentials.Bind(values));
    }

    protected override IChannelPoller Start(AmazonConnection connection, PollerContext context)
    {
        return new AmazonOrdersPoller(Http(context), connection.Credentials.Source(context.Http, context.Endpoints.AmazonToken, context.Time),
            Settings(connection, context), context.Store, context.Cursors, context.Time);
    }

    /// <summary>FBA inventory and the catalogue's categories, with the same region, marketplaces and LWA grant as the orders.</summary>
    public ICatalogueReader? CreateCatalogueReader(ConnectionValues values, PollerContext context)
    {
        var connection = Bind(values, context);
        return new AmazonCatalogueReader(Http(context), connection.Credentials.Source(context.Http, context.Endpoints.AmazonToken, context.Time),
            Settings(connection, context));
    }

    private static ChannelHttp Http(PollerContext context) => new(context.Http, context.Time, AmazonRateLimits.Options(context.Time));

    private static AmazonSettings Settings(AmazonConnection connection, PollerContext context)
    {
        var endpoints = context.Endpoints;
        var host = connection.Region switch
        {
            "eu" => endpoints.AmazonEurope,
            "fe" => endpoints.AmazonFarEast,
            _ => endpoints.AmazonNorthAmerica,
        };
        return new AmazonSettings(host, connection.MarketplaceIds, connection.Since);
    }
}
