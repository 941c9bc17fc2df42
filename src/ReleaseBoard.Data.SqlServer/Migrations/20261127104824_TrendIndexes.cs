using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReleaseBoard.Data.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class TrendIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Deployments_EnvironmentId_FinishedAt",
                table: "Deployments");

            migrationBuilder.DropIndex(
                name: "IX_Deployments_ServiceId_Version",
                table: "Deployments");

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_EnvironmentId_FinishedAt_Kind_Outcome",
                table: "Deployments",
                columns: new[] { "EnvironmentId", "FinishedAt", "Kind", "Outcome" });

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_ServiceId_Version_FinishedAt_EnvironmentId_Kind_Outcome",
                table: "Deployments",
                columns: new[] { "ServiceId", "Version", "FinishedAt", "EnvironmentId", "Kind", "Outcome" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Deployments_EnvironmentId_FinishedAt_Kind_Outcome",
                table: "Deployments");

            migrationBuilder.DropIndex(
                name: "IX_Deployments_ServiceId_Version_FinishedAt_EnvironmentId_Kind_Outcome",
                table: "Deployments");

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_EnvironmentId_FinishedAt",
                table: "Deployments",
                columns: new[] { "EnvironmentId", "FinishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Deployments_ServiceId_Version",
                table: "Deployments",
                columns: new[] { "ServiceId", "Version" });
        }
    }
}
