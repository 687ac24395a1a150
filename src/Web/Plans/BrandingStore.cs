using SalesDash.Engine.Persistence;

namespace SalesDash.Web.Plans;

/// <summary>Each organisation's own branding, kept whatever its plan; the plan decides whether it is shown.</summary>
public interface IBrandingStore
{
    Task<Branding?> GetAsync(string tenantId, CancellationToken cancellationToken);

    Task SaveAsync(string tenantId, Branding branding, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Removes the organisation's branding; false when it had none.</summary>
    Task<bool> DeleteAsync(string tenantId, CancellationToken cancellationToken);
}

/// <summary>Branding in the embedded app.db; the logo is a data URI already checked by <see cref="BrandingValidation"/>.</summary>
public sealed class SqliteBrandingStore(string connectionString) : IBrandingStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS organisation_branding (
            tenant_id TEXT NOT NULL PRIMARY KEY,
            product_name TEXT NOT NULL,
            primary_colour TEXT NOT NULL,
            accent_colour TEXT NOT NULL,
            logo TEXT NULL,
            updated_at TEXT NOT NULL
        );
        """;

    private readonly SqliteSchemaConnections _connections = new(connectionString, Schema);

    public async Task<Branding?> GetAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT product_name, primary_colour, accent_colour, logo FROM organisation_branding WHERE tenant_id = $tenant";
        command.Parameters.AddWithValue("$tenant", tenantId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new Branding(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3))
            : null;
    }

    public async Task SaveAsync(string tenantId, Branding branding, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(branding);
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO organisation_branding (tenant_id, product_name, primary_colour, accent_colour, logo, updated_at)
            VALUES ($tenant, $name, $primary, $accent, $logo, $at)
            ON CONFLICT (tenant_id) DO UPDATE SET product_name = excluded.product_name, primary_colour = excluded.primary_colour,
                accent_colour = excluded.accent_colour, logo = excluded.logo, updated_at = excluded.updated_at
            """;
        command.Parameters.AddWithValue("$tenant", tenantId);
        command.Parameters.AddWithValue("$name", branding.ProductName);
        command.Parameters.AddWithValue("$primary", branding.PrimaryColour);
        command.Parameters.AddWithValue("$accent", branding.AccentColour);
        command.Parameters.AddWithValue("$logo", (object?)branding.LogoDataUri ?? DBNull.Value);
        command.Parameters.AddWithValue("$at", at.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> DeleteAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM organisation_branding WHERE tenant_id = $tenant";
        command.Parameters.AddWithValue("$tenant", tenantId);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }
}

/// <summary>The branding in force: the organisation's own when its plan includes white-label, else SalesDash's.</summary>
public sealed class StoredBranding(IBrandingStore store, IPlanService plans) : IOrganisationBranding
{
    public async Task<Branding> GetAsync(string tenantId, CancellationToken cancellationToken) =>
        (await plans.GetLimitsAsync(tenantId, cancellationToken)).WhiteLabel && await store.GetAsync(tenantId, cancellationToken) is { } own
            ? own
            : Branding.SalesDash;
}
