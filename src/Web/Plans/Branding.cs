namespace SalesDash.Web.Plans;

/// <summary>How an organisation's app, wallboard, reports and e-mails look and what the product is called.</summary>
/// <param name="ProductName">Shown instead of "SalesDash".</param>
/// <param name="PrimaryColour">CSS hex colour, e.g. #1f6feb.</param>
/// <param name="AccentColour">CSS hex colour.</param>
/// <param name="LogoDataUri">A data: URI of the logo (PNG/SVG), or null for none.</param>
public sealed record Branding(string ProductName, string PrimaryColour, string AccentColour, string? LogoDataUri)
{
    /// <summary>What every organisation without white-label sees.</summary>
    public static Branding SalesDash { get; } = new("SalesDash", "#1f6feb", "#f59e0b", null);
}

/// <summary>The branding in force for an organisation: its own when its plan allows white-label, else SalesDash's.</summary>
public interface IOrganisationBranding
{
    Task<Branding> GetAsync(string tenantId, CancellationToken cancellationToken);
}
