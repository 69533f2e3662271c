package kg.neo4j.browser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.ws.rs.GET;
import javax.ws.rs.Produces;
import javax.ws.rs.core.Response;

/**
 * Serves the project's Neo4j Browser style (docs/kg.grass) at /kg/style.grass, so that
 * Browser's `:style http://127.0.0.1:PORT/kg/style.grass` (run by browser.post_connect_cmd)
 * styles the graph offline, from the same server.
 *
 * An unmanaged extension (server.unmanaged_extension_classes=kg.neo4j.browser=/kg); the
 * file is read at every request from the path in the system property kg.browser.style, so
 * an edited style needs a Browser reconnect, not a rebuild.
 */
@javax.ws.rs.Path("/style.grass")
public class BrowserStyle {
    public static final String STYLE_FILE_PROPERTY = "kg.browser.style";

    @GET
    @Produces("text/plain; charset=utf-8")
    public Response grass() {
        String file = System.getProperty(STYLE_FILE_PROPERTY);
        if (file == null || file.isEmpty()) {
            return notFound("the server was started without -D" + STYLE_FILE_PROPERTY);
        }
        try {
            String grass = Files.readString(Path.of(file), StandardCharsets.UTF_8);
            // Browser opened as http://localhost:PORT still fetches from 127.0.0.1: allow it.
            return Response.ok(grass)
                    .header("Access-Control-Allow-Origin", "*")
                    .header("Cache-Control", "no-cache")
                    .build();
        } catch (IOException unreadable) {
            return notFound("cannot read " + file + ": " + unreadable.getMessage());
        }
    }

    private static Response notFound(String why) {
        return Response.status(Response.Status.NOT_FOUND)
                .entity("kg Browser style: " + why + "\n")
                .type("text/plain; charset=utf-8")
                .build();
    }
}
