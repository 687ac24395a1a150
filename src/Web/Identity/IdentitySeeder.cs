using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using SalesDash.Engine;
using SalesDash.Web.AppData;
using SalesDash.Web.Demo;
using SalesDash.Web.Stores;

namespace SalesDash.Web.Identity;

/// <summary>
/// Before the server takes traffic: migrates the app database (copying an earlier version's data files in, once),
/// creates an organisation for every tenant that configuration declares stores for (so configured stores always belong to someone), and with the demo on, the demo organisation
/// and its owner, whose password is generated at first start, stored hashed and shown once on the console.
/// </summary>
internal sealed class IdentitySeeder(
    IServiceScopeFactory scopes,
    IConfiguration configuration,
    IOptions<DemoOptions> demo,
    IOptions<EngineOptions> engine,
    TimeProvider time,
    ILogger<IdentitySeeder> logger) : IHostedService
{
    public const string DemoOwnerEmail = "demo@salesdash.local";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppIdentityDbContext>();
        await AppDatabase.MigrateAsync(db, cancellationToken);
        await ImportFileKeyRingAsync(db, cancellationToken);
        foreach (var (file, rows) in await LegacyDataImport.ImportAsync(db, engine.Value.DataDirectory, time, cancellationToken))
        {
            logger.LogInformation("{File} of an earlier version: {Rows} rows copied into the app database (done once)", file, rows);
        }

        foreach (var seed in configuration.GetSection("Stores").Get<List<StoreSeed>>() ?? [])
        {
            await EnsureOrganisationAsync(db, seed.TenantId, seed.TenantId, seed.TimeZone, seed.Currency, cancellationToken);
        }

        if (demo.Value.Enabled)
        {
            await EnsureOrganisationAsync(db, demo.Value.TenantId, "Demo", demo.Value.TimeZone, demo.Value.Currency, cancellationToken);
            await EnsureDemoOwnerAsync(db, scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>(), cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Installs from before the key ring moved into the database kept it in {DataDirectory}/keys; those keys are copied
    /// in once, so channel credentials encrypted with them still open.
    /// </summary>
    private async Task ImportFileKeyRingAsync(AppIdentityDbContext db, CancellationToken cancellationToken)
    {
        var folder = new DirectoryInfo(Path.Combine(engine.Value.DataDirectory, "keys"));
        if (!folder.Exists || await db.DataProtectionKeys.AnyAsync(cancellationToken))
        {
            return;
        }

        foreach (var file in folder.EnumerateFiles("key-*.xml"))
        {
            db.DataProtectionKeys.Add(new DataProtectionKey
            {
                FriendlyName = Path.GetFileNameWithoutExtension(file.Name),
                Xml = await File.ReadAllTextAsync(file.FullName, cancellationToken),
            });
        }

        var imported = await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Data Protection: {Count} keys imported from {Folder} into the shared database", imported, folder.FullName);
    }

    private async Task EnsureOrganisationAsync(
        AppIdentityDbContext db, string id, string name, string timeZone, string currency, CancellationToken cancellationToken)
    {
        if (await db.Organisations.AnyAsync(o => o.Id == id, cancellationToken))
        {
            return;
        }

        db.Organisations.Add(new Organisation
        {
            Id = id,
            Name = name,
            TimeZone = timeZone,
            ReportingCurrency = currency.ToUpperInvariant(),
            CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("Organisation {Organisation} created for configured stores", id);
    }

    private async Task EnsureDemoOwnerAsync(AppIdentityDbContext db, UserManager<AppUser> users, CancellationToken cancellationToken)
    {
        var reset = configuration.GetValue<bool>("Demo:ResetOwnerPassword");
        var owner = await users.FindByEmailAsync(DemoOwnerEmail);
        if (owner is not null && !reset)
        {
            logger.LogInformation("Demo: sign in as {Email} with the password shown at first start (Demo__ResetOwnerPassword=true for a new one)", DemoOwnerEmail);
            return;
        }

        var password = GeneratePassword();
        IdentityResult result;
        if (owner is null)
        {
            owner = new AppUser { UserName = DemoOwnerEmail, Email = DemoOwnerEmail, EmailConfirmed = true, DisplayName = "Demo Owner", CreatedAt = time.GetUtcNow() };
            result = await users.CreateAsync(owner, password);
        }
        else
        {
            await users.RemovePasswordAsync(owner);
            result = await users.AddPasswordAsync(owner, password);
            await users.SetLockoutEndDateAsync(owner, null);
        }

        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"The demo owner could not be created: {string.Join("; ", result.Errors.Select(e => e.Description))}");
        }

        var orgId = demo.Value.TenantId;
        if (!await db.Memberships.AnyAsync(m => m.OrganisationId == orgId && m.UserId == owner.Id, cancellationToken))
        {
            db.Memberships.Add(new Membership { OrganisationId = orgId, UserId = owner.Id, Role = OrgRole.Owner, JoinedAt = time.GetUtcNow() });
            await db.SaveChangesAsync(cancellationToken);
        }

        // Shown once, on the console of the person who started the server; only its hash is stored.
        Console.WriteLine();
        Console.WriteLine("============================================================");
        Console.WriteLine($"  Demo sign-in: {DemoOwnerEmail}");
        Console.WriteLine($"  Password:     {password}");
        Console.WriteLine("  (shown once; start with Demo__ResetOwnerPassword=true for a new one)");
        Console.WriteLine("============================================================");
        Console.WriteLine();
    }

    /// <summary>16 characters from an unambiguous alphabet with at least one upper, lower and digit (Identity's rules).</summary>
    private static string GeneratePassword()
    {
        const string upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        const string lower = "abcdefghijkmnpqrstuvwxyz";
        const string digits = "23456789";
        const string all = upper + lower + digits;
        var chars = new char[16];
        chars[0] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[1] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        for (var i = 3; i < chars.Length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }

        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }
}
