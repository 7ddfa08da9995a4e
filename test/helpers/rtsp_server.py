#!/usr/bin/python3
"""A real RTSP camera for tests: GStreamer's gst-rtsp-server on 127.0.0.1 serving an H.264 moving test
pattern at /cam, with digest authentication (user and password from the environment), as IP cameras do.
Any other path answers 404; wrong credentials 401. Prints `listening <port>` once ready.
Usage: rtsp_server.py PORT   (env RTSP_USER, RTSP_PASSWORD; PORT 0 picks a free one)"""
import os
import sys

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstRtsp', '1.0')
gi.require_version('GstRtspServer', '1.0')
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

Gst.init(None)
port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
user = os.environ.get('RTSP_USER', 'admin')
password = os.environ.get('RTSP_PASSWORD', 'password')

server = GstRtspServer.RTSPServer()
server.set_address('127.0.0.1')
server.set_service(str(port))

factory = GstRtspServer.RTSPMediaFactory()
factory.set_shared(True)
# Keyframe every second (10 frames at 10 fps), so clips can start on one.
factory.set_launch(
    '( videotestsrc is-live=true pattern=ball ! video/x-raw,width=640,height=360,framerate=10/1 '
    '! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=10 ! rtph264pay name=pay0 pt=96 )'
)

auth = GstRtspServer.RTSPAuth()
auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
token = GstRtspServer.RTSPToken()
token.set_string('media.factory.role', 'user')
auth.add_digest(user, password, token)
server.set_auth(auth)
permissions = GstRtspServer.RTSPPermissions()
permissions.add_role_from_structure(Gst.Structure.new_empty('user'))
permissions.add_permission_for_role('user', GstRtspServer.RTSP_PERM_MEDIA_FACTORY_ACCESS, True)
permissions.add_permission_for_role('user', GstRtspServer.RTSP_PERM_MEDIA_FACTORY_CONSTRUCT, True)
factory.set_permissions(permissions)

server.get_mount_points().add_factory('/cam', factory)
if server.attach(None) == 0:
    print('could not listen', flush=True)
    sys.exit(1)
print(f'listening {server.get_bound_port()}', flush=True)
GLib.MainLoop().run()
