using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReleaseBoard.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class ReadinessThresholds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Existing environments get the same thresholds as new ones, not zeros that no service could meet.
            migrationBuilder.AddColumn<int>(
                name: "ReadinessMaxChangeFailurePercent",
                table: "Environments",
                type: "INTEGER",
                nullable: false,
                defaultValue: 15);

            migrationBuilder.AddColumn<int>(
                name: "ReadinessMaxMttrMinutes",
                table: "Environments",
                type: "INTEGER",
                nullable: false,
                defaultValue: 60);

            migrationBuilder.AddColumn<int>(
                name: "ReadinessMinDaysSinceCatch",
                table: "Environments",
                type: "INTEGER",
                nullable: false,
                defaultValue: 7);

            migrationBuilder.AddColumn<int>(
                name: "ReadinessRollbackMaxMinutes",
                table: "Environments",
                type: "INTEGER",
                nullable: false,
                defaultValue: 15);

            migrationBuilder.AddColumn<int>(
                name: "ReadinessRollbackWithinDays",
                table: "Environments",
                type: "INTEGER",
                nullable: false,
                defaultValue: 30);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "ReadinessMaxChangeFailurePercent",
                table: "Environments");

            migrationBuilder.DropColumn(
                name: "ReadinessMaxMttrMinutes",
                table: "Environments");

            migrationBuilder.DropColumn(
                name: "ReadinessMinDaysSinceCatch",
                table: "Environments");

            migrationBuilder.DropColumn(
                name: "ReadinessRollbackMaxMinutes",
                table: "Environments");

            migrationBuilder.DropColumn(
                name: "ReadinessRollbackWithinDays",
                table: "Environments");
        }
    }
}
