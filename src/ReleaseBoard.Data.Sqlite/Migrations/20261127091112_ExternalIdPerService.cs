using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReleaseBoard.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ExternalIdPerService : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Incidents_Source_ExternalId",
                table: "Incidents");

            migrationBuilder.DropIndex(
                name: "IX_Deployments_Source_ExternalId",
                table: "Deployments");

            migrationBuilder.DropIndex(
                name: "IX_Catches_Source_ExternalId",
                table: "Catches");

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_ServiceId_Source_ExternalId",
                table: "Incidents",
                columns: new[] { "ServiceId", "Source", "ExternalId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_ServiceId_Source_ExternalId",
                table: "Deployments",
                columns: new[] { "ServiceId", "Source", "ExternalId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Catches_ServiceId_Source_ExternalId",
                table: "Catches",
                columns: new[] { "ServiceId", "Source", "ExternalId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Incidents_ServiceId_Source_ExternalId",
                table: "Incidents");

            migrationBuilder.DropIndex(
                name: "IX_Deployments_ServiceId_Source_ExternalId",
                table: "Deployments");

            migrationBuilder.DropIndex(
                name: "IX_Catches_ServiceId_Source_ExternalId",
                table: "Catches");

            migrationBuilder.CreateIndex(
                name: "IX_Incidents_Source_ExternalId",
                table: "Incidents",
                columns: new[] { "Source", "ExternalId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_Source_ExternalId",
                table: "Deployments",
                columns: new[] { "Source", "ExternalId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Catches_Source_ExternalId",
                table: "Catches",
                columns: new[] { "Source", "ExternalId" },
                unique: true);
        }
    }
}
