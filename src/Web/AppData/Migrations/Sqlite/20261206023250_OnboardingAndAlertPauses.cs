using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesDash.Web.AppData.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class OnboardingAndAlertPauses : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AlertPauses",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    StoreId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Until = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AlertPauses", x => new { x.TenantId, x.StoreId });
                });

            migrationBuilder.CreateTable(
                name: "Onboarding",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    TrackedMetrics = table.Column<string>(type: "TEXT", nullable: true),
                    TrackingChosenAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    TemplateId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    DashboardId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    TemplateChosenAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    LiveAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Onboarding", x => x.TenantId);
                });

            migrationBuilder.CreateTable(
                name: "ShopifyInstallations",
                columns: table => new
                {
                    TenantId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    StoreId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ShopDomain = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    Scopes = table.Column<string>(type: "TEXT", nullable: false),
                    InstalledAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UninstalledAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ShopifyInstallations", x => new { x.TenantId, x.StoreId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_ShopifyInstallations_ShopDomain",
                table: "ShopifyInstallations",
                column: "ShopDomain");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AlertPauses");

            migrationBuilder.DropTable(
                name: "Onboarding");

            migrationBuilder.DropTable(
                name: "ShopifyInstallations");
        }
    }
}
