using System.ComponentModel.DataAnnotations;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;

namespace SalesDash.Web.Stores;

/// <summary>
/// Creates the stores declared in configuration before the server takes traffic, so a deployment
/// (or a test) can describe its stores without an admin UI. Invalid entries stop the start with a clear message.
/// </summary>
internal sealed class StoreSeeder(IConfiguration configuration, IStoreDirectory directory, ILogger<StoreSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var seeds = configuration.GetSection("Stores").Get<List<StoreSeed>>() ?? [];
        foreach (var (seed, index) in seeds.Select((s, i) => (s, i)))
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(seed, new ValidationContext(seed), results, validateAllProperties: true))
            {
                throw new InvalidOperationException(
                    $"Configuration Stores:{index} is invalid: {string.Join("; ", results.Select(r => r.ErrorMessage))}");
            }

            if (!TimeZoneInfo.TryFindSystemTimeZoneById(seed.TimeZone, out _))
            {
                throw new InvalidOperationException($"Configuration Stores:{index}: unknown time zone '{seed.TimeZone}'.");
            }

            var profile = new StoreProfile(
                new StoreRef(seed.TenantId, seed.StoreId), seed.Name, seed.Channel,
                seed.ShopDomain.Trim().ToLowerInvariant(), seed.Currency.ToUpperInvariant(), seed.TimeZone, seed.WebhookSecret);
            // A seeded store an Admin disconnected stays disconnected across restarts.
            var existing = await directory.GetAsync(profile.Store, cancellationToken);
            await directory.UpsertAsync(profile with { DisconnectedAt = existing?.DisconnectedAt }, cancellationToken);
            logger.LogInformation("Store {Store} ({Domain}) ready", profile.Store, profile.ShopDomain);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
